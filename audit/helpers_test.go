package audit_test

import (
	"context"
	"encoding/json"

	"github.com/phigate/phigate/audit/audittest"
)

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

type testError string

func (e testError) Error() string { return string(e) }

var errAny = testError("disk full")

var ctxBG = context.Background()

func nil2store() *audittest.Store { return audittest.NewStore() }
