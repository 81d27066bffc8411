package audit_test

import "encoding/json"

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

type testError string

func (e testError) Error() string { return string(e) }

var errAny = testError("disk full")
