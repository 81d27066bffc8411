// Package gateway owns phigate's AI gateway: an OpenAI-compatible proxy
// (POST /v1/chat/completions streaming and not, GET /v1/models,
// POST /v1/embeddings) and the Anthropic messages shape (POST /v1/messages)
// in front of AI vendors, with a deny-by-default vendor registry that
// routes PHI only to vendors whose Business Associate Agreement covers it.
//
// A request goes through hook-shaped stages, in the spirit of
// httputil.ReverseProxy: detect (every text the vendor will see) → decide
// (policy of the route and API key, the vendor's BAA) → audit (no record,
// no request) → de-identify (placeholders or surrogates, one per value for
// the whole conversation) → upstream (ordered fallback only among vendors
// with the same or stronger coverage) → re-identify (chunk by chunk for
// streams, holding back only what a split placeholder could still need) →
// output scan (PHI the caller did not send is redacted and flagged). The
// incoming request is never changed in place; what leaves is built anew.
// Every failure refuses the request with an OpenAI-style error body that
// holds no PHI: nothing is ever forwarded unmasked.
package gateway
