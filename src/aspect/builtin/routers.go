//go:build rtool

// HTTP routers: the server span net/http makes for each request
// (builtin.http-server) gets the route template the router matched as
// http.route and in its name. Each router is observed from inside, where
// it has matched the request's route, and reports to support.SetHTTPRoute
// (which picks the most specific template when routers nest): nothing is
// added to the router (no handler, middleware or exported name), so what
// its API returns is what it returns without rtool. Switched off with
// RTOOL_DISABLE=builtin.chi, builtin.gin, builtin.echo, builtin.mux. Each
// is kept to the versions tested, from the oldest tested to the next major
// version (module-version). The injected helpers' code must compile at the
// oldest language version those modules declare (no `any`, no generics).
package aspects

import (
	"net/http"
	"reflect"
	"strings"

	"rtool.invalid/support"
)

// chi: routeHTTP is where a Mux finds the route, after its middlewares.
// A mounted sub-router (Route, Mount of a chi router) shares its parent's
// routing context, whose RoutePattern() is the full template once routing
// is done: read when routeHTTP returns (also when the handler panics), and
// only if this router added a pattern (else it matched nothing, or only
// the mount point of a sub-router that matched nothing).
//
//rtool:aspect builtin.chi-route
//rtool:where package(github.com/go-chi/chi/v5) && function(name=routeHTTP, receiver=*Mux) && module-version(min=v5.0.12, below=v6.0.0)
//rtool:prepend
func _() {
	if support.Enabled() {
		if rtoolCtx := RouteContext(RtoolParam1.Context()); rtoolCtx != nil {
			defer rtoolChiRoute(rtoolCtx, len(rtoolCtx.RoutePatterns), RtoolParam1.URL.Path)
		}
	}
}

//rtool:aspect builtin.chi-helpers
//rtool:where package(github.com/go-chi/chi/v5) && module-version(min=v5.0.12, below=v6.0.0)
//rtool:inject
func rtoolChiRoute(rctx *Context, before int, path string) {
	route := ""
	if len(rctx.RoutePatterns) > before {
		route = rctx.RoutePattern()
	}
	support.SetHTTPRoute(route, path, false)
}

// gin: handleHTTPRequest looks the route up and runs its handler chain
// (or the 404/405 chain, or a redirect): when it returns, the context's
// fullPath is the matched route's template, "" when none matched. The
// path is read before: a handler may change the request.
//
//rtool:aspect builtin.gin-route
//rtool:where package(github.com/gin-gonic/gin) && function(name=handleHTTPRequest, receiver=*Engine) && module-version(min=v1.7.7, below=v2.0.0)
//rtool:prepend
func _() {
	if support.Enabled() {
		defer rtoolGinRoute(RtoolParam0, RtoolParam0.Request.URL.Path)
	}
}

//rtool:aspect builtin.gin-helpers
//rtool:where package(github.com/gin-gonic/gin) && module-version(min=v1.7.7, below=v2.0.0)
//rtool:inject
func rtoolGinRoute(c *Context, path string) {
	support.SetHTTPRoute(c.fullPath, path, false)
}

// echo: Router.Find matches the route (before the middlewares Use adds
// run) and sets the context's path and handler; an unmatched request gets
// echo's NotFoundHandler or MethodNotAllowedHandler, whose Path() is ""
// or the path that matched for another method.
//
//rtool:aspect builtin.echo-route
//rtool:where package(github.com/labstack/echo/v4) && function(name=Find, receiver=*Router) && module-version(min=v4.2.0, below=v5.0.0)
//rtool:prepend
func _() {
	if support.Enabled() {
		defer rtoolEchoRoute(RtoolParam2)
	}
}

//rtool:aspect builtin.echo-helpers
//rtool:where package(github.com/labstack/echo/v4) && module-version(min=v4.2.0, below=v5.0.0)
//rtool:inject
func rtoolEchoRoute(c Context) {
	r := c.Request()
	if r == nil || r.URL == nil {
		return
	}
	route := c.Path()
	switch reflect.ValueOf(c.Handler()).Pointer() {
	case reflect.ValueOf(NotFoundHandler).Pointer(), reflect.ValueOf(MethodNotAllowedHandler).Pointer():
		route = ""
	}
	support.SetHTTPRoute(route, r.URL.Path, false)
}

// gorilla/mux: Router.ServeHTTP puts the route Match found in the request
// (requestWithRoute; setCurrentRoute before v1.7.0) right before calling
// its handler. Only a route with a handler of its own is a match (a
// sub-router's PathPrefix route comes here when the sub-router's
// NotFoundHandler answers); a PathPrefix route's regexp is not anchored at
// the end.
//
//rtool:aspect builtin.mux-route
//rtool:where package(github.com/gorilla/mux) && (function(name=requestWithRoute, receiver=none) || function(name=setCurrentRoute, receiver=none)) && module-version(min=v1.6.2, below=v2.0.0)
//rtool:prepend
func _() {
	if support.Enabled() {
		rtoolMuxRoute(RtoolParam0, RtoolParam1)
	}
}

//rtool:aspect builtin.mux-helpers
//rtool:where package(github.com/gorilla/mux) && module-version(min=v1.6.2, below=v2.0.0)
//rtool:inject
func rtoolMuxRoute(r *http.Request, val interface{}) {
	route, ok := val.(*Route)
	if !ok || route == nil || route.handler == nil {
		return
	}
	if tpl, err := route.GetPathTemplate(); err == nil {
		re, _ := route.GetPathRegexp()
		support.SetHTTPRoute(tpl, r.URL.Path, !strings.HasSuffix(re, "$"))
	}
}
