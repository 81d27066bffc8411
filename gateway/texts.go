package gateway

import (
	"bytes"
	"encoding/json"
	"slices"
)

// kind is what a string of a request is to the gateway.
type kind int

const (
	kindSkip   kind = iota // structure (roles, ids, names of tools): never changed
	kindText               // text the vendor reads: scanned and de-identified
	kindDoc                // text that may be a JSON document (tool arguments and results): its strings are scanned
	kindBinary             // images, audio, files: cannot be scanned
	kindModel              // the model, replaced by the vendor's model name
)

// skipKeys are keys whose string values are structure, never text.
var skipKeys = map[string]bool{
	"role": true, "type": true, "id": true, "tool_call_id": true, "tool_use_id": true,
	"encoding_format": true, "media_type": true, "signature": true, "pattern": true,
	"$ref": true, "$schema": true, "$id": true, "service_tier": true, "reasoning_effort": true,
	"verbosity": true, "detail": true, "voice": true, "format": true, "object": true,
	"tool_choice": true, "modalities": true, "required": true, "cache_control": true,
}

// binaryKeys hold content that cannot be scanned.
var binaryKeys = map[string]bool{
	"image_url": true, "input_audio": true, "file": true, "file_data": true, "source": true,
	"audio": true, "image": true, "document": true,
}

// classifyChat classifies a string of an OpenAI chat completions request.
// roles are the messages' roles, by index.
func classifyChat(p jpath, roles []string) kind {
	root := p.rootKey()
	switch {
	case len(p) == 1 && root == "model":
		return kindModel
	case root == "messages" && isToolArguments(p):
		return kindDoc
	case root == "messages" && len(p) >= 3 && p.key(len(p)-3) == "content" && messageRole(p, roles) == "tool":
		return kindDoc
	}
	return classifyCommon(p)
}

// classifyMessages classifies a string of an Anthropic messages request.
func classifyMessages(p jpath) kind {
	switch {
	case len(p) == 1 && p.rootKey() == "model":
		return kindModel
	case len(p) == 5 && p.rootKey() == "messages" && p.key(0) == "content" && p.key(2) == "content":
		return kindDoc // a tool_result's content given as one string
	}
	return classifyCommon(p)
}

// classifyEmbeddings classifies a string of an embeddings request.
func classifyEmbeddings(p jpath) kind {
	if len(p) == 1 && p.rootKey() == "model" {
		return kindModel
	}
	return classifyCommon(p)
}

// classifyCommon: structure is skipped, binary content refused, names of
// functions and tools kept, everything else is text.
func classifyCommon(p jpath) kind {
	last := p.key(0)
	inContent := p.rootKey() == "messages" || p.rootKey() == "input" || p.rootKey() == "system"
	for _, e := range p[:len(p)-1] {
		if !inContent {
			break
		}
		if e.isKey && binaryKeys[e.key] {
			if last == "type" || last == "detail" || last == "media_type" || last == "format" {
				return kindSkip
			}
			return kindBinary
		}
	}
	switch {
	case last == "" && len(p) >= 2 && p.key(1) == "required":
		return kindSkip // JSON schema "required": property names
	case last == "" && len(p) >= 2 && (p.key(1) == "modalities" || p.key(1) == "include"):
		return kindSkip
	case skipKeys[last]:
		return kindSkip
	case last == "name" && len(p) >= 2 && !(len(p) == 3 && p.rootKey() == "messages"):
		return kindSkip // function and tool names; a message's participant name is text
	case last == "arguments" || last == "partial_json":
		return kindDoc
	}
	return kindText
}

// isToolArguments reports whether p is messages[i].tool_calls[j].function.arguments
// or messages[i].function_call.arguments.
func isToolArguments(p jpath) bool {
	return p.key(0) == "arguments"
}

// messageRole returns the role of the message p points into.
func messageRole(p jpath, roles []string) string {
	i := p.index(1)
	if i < 0 || i >= len(roles) {
		return ""
	}
	return roles[i]
}

// isDocument reports whether s is a JSON object or array.
func isDocument(s string) bool {
	b := bytes.TrimLeft([]byte(s), " \t\r\n")
	return len(b) > 0 && (b[0] == '{' || b[0] == '[') && json.Valid(b)
}

// chatShape is what the gateway reads of a chat completions request.
type chatShape struct {
	Model    string `json:"model"`
	Stream   bool   `json:"stream"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	MaxTokens           int `json:"max_tokens"`
	MaxCompletionTokens int `json:"max_completion_tokens"`
}

func (c *chatShape) roles() []string {
	out := make([]string, len(c.Messages))
	for i, m := range c.Messages {
		out[i] = m.Role
	}
	return out
}

// historyName derives a conversation name from the start of the history:
// the first system message and the first user message, which every later
// turn repeats.
func historyName(msgs []struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}) string {
	var sys, user []byte
	for _, m := range msgs {
		if sys == nil && (m.Role == "system" || m.Role == "developer") {
			sys = m.Content
		}
		if user == nil && m.Role == "user" {
			user = m.Content
		}
	}
	return "history\x00" + string(compactJSON(sys)) + "\x00" + string(compactJSON(user))
}

func compactJSON(b []byte) []byte {
	var out bytes.Buffer
	if json.Compact(&out, b) != nil {
		return b
	}
	return slices.Clip(out.Bytes())
}
