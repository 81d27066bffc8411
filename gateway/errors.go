package gateway

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/phigate/phigate"
)

// refusal reasons: each has a fixed message (see reasonMessages); none
// carries request text.
const (
	reasonUnknownModel = "unknown_model"
	reasonBlocked      = "blocked"
	reasonBinary       = "unscannable_content"
	reasonDetector     = "detector"
	reasonAudit        = "audit"
	reasonMap          = "conversation_map"
	reasonPolicy       = "policy_error"
	reasonUpstream     = "upstream"
	reasonRateLimit    = "rate_limit"
	reasonTokens       = "token_limit"
	reasonFormat       = "format"
	reasonPurpose      = "purpose"
	reasonBAA          = "baa_not_in_force"
	reasonMalformed    = "malformed_json"
	reasonShape        = "invalid_request"
)

var reasonMessages = map[string]string{
	reasonUnknownModel: "The model maps to no enabled vendor in the registry.",
	reasonBlocked:      "The request holds PHI and the policy of this route or key blocks PHI.",
	reasonBinary:       "Images, audio and files cannot be checked for PHI and may go only to a covered vendor under an allow policy.",
	reasonDetector:     "PHI detection failed, so the request was not sent.",
	reasonAudit:        "The request could not be recorded in the audit log, so it was not sent.",
	reasonMap:          "The conversation's protected map could not be opened or saved, so the request was not sent.",
	reasonPolicy:       "The data-protection policy could not be applied, so the request was not sent.",
	reasonUpstream:     "The AI vendor failed or could not be reached.",
	reasonRateLimit:    "Too many requests for this API key; try again later.",
	reasonTokens:       "This API key has used its tokens for today.",
	reasonFormat:       "This route's vendor does not speak this API.",
	reasonPurpose:      "The purpose of use is not allowed for this caller.",
	reasonBAA:          "The vendor's BAA is not in force, so PHI may not be sent to it.",
	reasonMalformed:    "The request body is not valid JSON.",
	reasonShape:        "The request body lacks a required field or has one of the wrong type (chat completions and messages need \"model\" and \"messages\", embeddings \"model\" and \"input\").",
}

// badBody returns the refusal for a request body that did not decode into
// the endpoint's shape: malformed JSON, or a field missing or of the wrong
// type. The decoder's error is dropped: it may quote the body.
func badBody(err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) || errors.Is(err, io.ErrUnexpectedEOF) {
		return refuse(phigate.EINVALID, reasonMalformed, nil)
	}
	return refuse(phigate.EINVALID, reasonShape, nil)
}

// refuse returns an error with code and a reason whose fixed message the
// client sees.
func refuse(code, reason string, cause error) error {
	return &phigate.Error{Code: code, Op: "gateway." + reason, Err: cause}
}

// reasonOf returns the reason of a refusal made by refuse, or "".
func reasonOf(err error) string {
	var e *phigate.Error
	if errors.As(err, &e) {
		if r, ok := strings.CutPrefix(e.Op, "gateway."); ok && reasonMessages[r] != "" {
			return r
		}
	}
	return ""
}

// errorMessage is the message a client sees for err: fixed per reason or
// per code, never the cause.
func errorMessage(err error) string {
	if m := reasonMessages[reasonOf(err)]; m != "" {
		return m
	}
	return phigate.ErrorMessage(err)
}

// openAIErrorType maps a status to the "type" OpenAI clients expect.
func openAIErrorType(status int) string {
	switch {
	case status == 401:
		return "authentication_error"
	case status == 403:
		return "permission_error"
	case status == 404:
		return "not_found_error"
	case status == 429:
		return "rate_limit_error"
	case status >= 500:
		return "api_error"
	}
	return "invalid_request_error"
}

// openAIError is the error body of the OpenAI API.
type openAIError struct {
	Error struct {
		Message   string  `json:"message"`
		Type      string  `json:"type"`
		Param     *string `json:"param"`
		Code      string  `json:"code"`
		RequestID string  `json:"request_id,omitempty"`
	} `json:"error"`
}

// writeOpenAIError writes err as an OpenAI-style error body.
func writeOpenAIError(w http.ResponseWriter, r *http.Request, err error) {
	status := phigate.ErrorStatus(err)
	var b openAIError
	b.Error.Message = errorMessage(err)
	b.Error.Type = openAIErrorType(status)
	b.Error.Code = phigate.ErrorCode(err)
	if reason := reasonOf(err); reason != "" {
		b.Error.Code = reason
	}
	b.Error.RequestID = phigate.RequestIDFromContext(r.Context())
	writeJSONBody(w, status, b)
}

// anthropicError is the error body of the Anthropic API.
type anthropicError struct {
	Type  string `json:"type"`
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeAnthropicError writes err as an Anthropic-style error body.
func writeAnthropicError(w http.ResponseWriter, r *http.Request, err error) {
	status := phigate.ErrorStatus(err)
	var b anthropicError
	b.Type = "error"
	b.Error.Type = openAIErrorType(status)
	if status >= 500 {
		b.Error.Type = "api_error"
	}
	b.Error.Message = errorMessage(err)
	writeJSONBody(w, status, b)
}

func writeJSONBody(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
