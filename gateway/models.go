package gateway

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/phigate/phigate"
)

// models serves GET /v1/models: the routes and the models of enabled
// vendors, as "vendor/model".
func (g *Gateway) models(w http.ResponseWriter, r *http.Request) {
	if _, err := g.authenticate(r); err != nil {
		writeOpenAIError(w, r, err)
		return
	}
	vendors, err := g.Registry.Store.ListVendors(r.Context())
	if err != nil {
		writeOpenAIError(w, r, err)
		return
	}
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	var out []model
	seen := map[string]bool{}
	add := func(id, owner string, at time.Time) {
		if !seen[id] {
			seen[id] = true
			out = append(out, model{ID: id, Object: "model", Created: at.Unix(), OwnedBy: owner})
		}
	}
	for _, rt := range g.Registry.Routes {
		if rt.Name[len(rt.Name)-1] != '*' {
			add(rt.Name, "phigate", time.Unix(0, 0))
		}
	}
	for _, v := range vendors {
		if v.Disabled {
			continue
		}
		for _, m := range v.Models {
			add(v.Name+"/"+m, v.Name, v.CreatedAt)
		}
	}
	slices.SortStableFunc(out, func(a, b model) int { return compareStrings(a.ID, b.ID) })
	b, _ := json.Marshal(struct {
		Object string  `json:"object"`
		Data   []model `json:"data"`
	}{"list", append([]model{}, out...)})
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func itoa(i int) string { return strconv.Itoa(i) }

// embeddings serves POST /v1/embeddings: inputs are de-identified (always,
// whatever the vendor) and nothing is re-identified.
func (g *Gateway) embeddings(w http.ResponseWriter, r *http.Request) {
	x := &exchange{g: g, r: r, w: w, start: time.Now(), action: "ai.embeddings", format: phigate.FormatOpenAI, path: "/embeddings"}
	if err := x.begin(); err != nil {
		x.fail(err, false)
		return
	}
	var shape struct {
		Model string          `json:"model"`
		Input json.RawMessage `json:"input"`
	}
	if err := json.Unmarshal(x.body, &shape); err != nil || shape.Model == "" || len(shape.Input) == 0 {
		x.fail(badBody(err), false)
		return
	}
	if shape.Input[0] == '[' && len(shape.Input) > 1 && (shape.Input[1] == '[' || shape.Input[1] >= '0' && shape.Input[1] <= '9') {
		// Token ids cannot be scanned.
		x.fail(refuse(phigate.EPOLICY, reasonBinary, nil), false)
		return
	}
	x.model = shape.Model
	if err := x.prepareEmbeddings(); err != nil {
		x.fail(err, false)
		return
	}
	x.run(func(resp *http.Response) error {
		return x.finish(resp, func(x *exchange, body []byte) ([]byte, error) {
			var u struct {
				Usage struct {
					Prompt int `json:"prompt_tokens"`
				} `json:"usage"`
			}
			json.Unmarshal(body, &u)
			x.usage.prompt = u.Usage.Prompt
			return body, nil
		})
	})
}

// prepareEmbeddings is prepare with a policy that de-identifies every
// value: embeddings are never re-identified, so nothing needs to go as is.
func (x *exchange) prepareEmbeddings() error {
	if x.c.policy == nil || x.c.policy.Mode != ModeBlock {
		p := Policy{Mode: ModeDeidentify, Method: MethodPlaceholder, OutputScan: OutputOff}
		x.c.policy = &p
	}
	return x.prepare(classifyEmbeddings)
}
