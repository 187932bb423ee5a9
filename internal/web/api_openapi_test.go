package web_test

// The API is held to its OpenAPI document (internal/web/openapi): the merged
// document is valid, every API route has an operation and every operation a
// route, and apiCall validates each response of the tests — and each request
// the server accepted — against it. Tests of other resources use apiCall too.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/sigess/sigess/internal/web/openapi"
)

// apiPrefix is where the ente's API routes are registered.
const apiPrefix = "/t/:slug/api/v1"

// loadSpec parses and validates the merged document.
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	b, err := openapi.JSON()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatalf("loading the OpenAPI document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is invalid: %v", err)
	}
	return doc
}

var specRouters sync.Map // test server URL → routers.Router

// specRouter is a router over the document with the server at base (the
// test server's URL), since the document's server is relative.
func specRouter(t *testing.T, base string) routers.Router {
	t.Helper()
	if r, ok := specRouters.Load(base); ok {
		return r.(routers.Router)
	}
	doc := loadSpec(t)
	doc.Servers = openapi3.Servers{{URL: base + "/t/{slug}/api/v1",
		Variables: map[string]*openapi3.ServerVariable{"slug": {Default: "roma"}}}}
	r, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	specRouters.Store(base, r)
	return r
}

// apiCall sends method path (under the server) with a bearer token ("" for
// none) and body (nil, or marshalled as JSON), and fails the test unless the
// operation is in the document and the response matches it. The request is
// validated too when the server accepted it (status below 400): a request
// the document forbids must not succeed.
func (a *testApp) apiCall(t *testing.T, method, path, token string, body any) response {
	t.Helper()
	r, _ := specCall(t, specRouter(t, a.URL), a.client(t).do, a.URL+path, method, token, body,
		&openapi3filter.Options{IncludeResponseStatus: true})
	return r
}

// specCall sends method url with a bearer token ("" for none) and body (nil,
// or marshalled as JSON) through do, and holds both to the OpenAPI document
// of router: the operation must be in it, a request the server accepted
// (status below 400) must be one the document allows, and the response must
// match it (checked with opts). It returns the response and the operation's
// route.
func specCall(t *testing.T, router routers.Router, do func(*http.Request) response, url, method, token string, body any,
	opts *openapi3filter.Options) (response, *routers.Route) {
	t.Helper()
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	newReq := func() *http.Request {
		req, _ := http.NewRequest(method, url, bytes.NewReader(raw))
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return req
	}
	r := do(newReq())

	ctx := context.Background()
	req := newReq()
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s is not in the OpenAPI document: %v", method, req.URL.Path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if r.Status < 400 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			t.Errorf("%s %s succeeded (%d) with a request the document forbids: %v", method, req.URL.Path, r.Status, err)
		}
	}
	if err := openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: r.Status, Header: r.Header,
		Body: io.NopCloser(strings.NewReader(r.Body)), Options: opts,
	}); err != nil {
		t.Errorf("%s %s: response %d does not match the document: %v\n%s", method, req.URL.Path, r.Status, err, r.Body)
	}
	return r, route
}

// TestOpenAPIDocument: the merged document is valid OpenAPI 3, and it is
// served, public, as JSON.
func TestOpenAPIDocument(t *testing.T) {
	doc := loadSpec(t)
	if doc.Paths.Find("/people/{id}") == nil || doc.Components.Schemas["Problem"] == nil {
		t.Fatal("the merged document lacks /people/{id} or the Problem schema")
	}
	a := newApp(t)
	r := a.apiCall(t, http.MethodGet, "/t/latina/api/v1/openapi.json", "", nil)
	var served map[string]any
	if err := json.Unmarshal([]byte(r.Body), &served); r.Status != http.StatusOK || err != nil || served["openapi"] != "3.0.3" {
		t.Fatalf("GET openapi.json: %d %v\n%.300s", r.Status, err, r.Body)
	}
}

// TestOpenAPICoversRoutes: every API route registered has an operation in
// the document, and every operation a route.
func TestOpenAPICoversRoutes(t *testing.T) {
	doc := loadSpec(t)
	a := newApp(t)
	var routes, ops []string
	for _, rt := range a.Server.Routes() {
		rest, ok := strings.CutPrefix(rt.Path, apiPrefix)
		if !ok {
			continue
		}
		parts := strings.Split(rest, "/")
		for i, p := range parts {
			if strings.HasPrefix(p, ":") {
				parts[i] = "{" + p[1:] + "}"
			}
		}
		routes = append(routes, rt.Method+" "+strings.Join(parts, "/"))
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			ops = append(ops, method+" "+path)
		}
	}
	slices.Sort(routes)
	slices.Sort(ops)
	for _, r := range routes {
		if _, found := slices.BinarySearch(ops, r); !found {
			t.Errorf("route %s has no operation in the OpenAPI document", r)
		}
	}
	for _, o := range ops {
		if _, found := slices.BinarySearch(routes, o); !found {
			t.Errorf("operation %s has no route", o)
		}
	}
	if len(routes) < 10 {
		t.Errorf("only %d API routes found: %v", len(routes), routes)
	}
}
