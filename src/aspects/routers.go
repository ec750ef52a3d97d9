//go:build rtool

// HTTP routers: the server span net/http makes for each request
// (builtin.http-server) gets the route template the router matched as
// http.route and in its name. Each router gets one middleware of rtool's,
// added through its own Use when the router is made (chi.NewMux and
// NewRouter, gin.New and Default, echo.New, mux.NewRouter), so it is the
// outermost of the router's middlewares, and reports to
// support.SetHTTPRoute, which picks the most specific template when
// routers nest. Switched off with RTOOL_DISABLE=builtin.chi, builtin.gin,
// builtin.echo, builtin.mux. Each is kept to the versions tested, from the
// oldest tested to the next major version (module-version).
package aspects

import (
	"net/http"
	"reflect"
	"strings"

	"rtool.invalid/support"
)

// chi: a mounted sub-router (Route, Mount of a chi router) shares its
// parent's routing context, whose RoutePattern() is the full template
// once routing is done: read after the handler, and only if this router
// added a pattern (else it matched nothing, or only the mount point of a
// sub-router that matched nothing).
//
//rtool:aspect builtin.chi-helpers
//rtool:where package(github.com/go-chi/chi/v5) && module-version(min=v5.0.12, below=v6.0.0)
//rtool:inject
func rtoolChiRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rctx := RouteContext(r.Context())
		if rctx == nil || !support.Enabled() {
			next.ServeHTTP(w, r)
			return
		}
		n := len(rctx.RoutePatterns)
		defer func() { // also when the handler panics
			route := ""
			if len(rctx.RoutePatterns) > n {
				route = rctx.RoutePattern()
			}
			support.SetHTTPRoute(route, r.URL.Path, false)
		}()
		next.ServeHTTP(w, r)
	})
}

// Marks a Mux whose first middleware is rtool's, for Middlewares.
//
//rtool:aspect builtin.chi-field
//rtool:where package(github.com/go-chi/chi/v5) && struct(github.com/go-chi/chi/v5.Mux) && module-version(min=v5.0.12, below=v6.0.0)
//rtool:add-field rtoolRoute bool

//rtool:aspect builtin.chi-new
//rtool:where package(github.com/go-chi/chi/v5) && function(name=NewMux, receiver=none) && module-version(min=v5.0.12, below=v6.0.0)
//rtool:prepend
func _() {
	defer func() {
		RtoolResult0.Use(rtoolChiRoute)
		RtoolResult0.rtoolRoute = true
	}()
}

// Middlewares lists the user's middlewares only.
//
//rtool:aspect builtin.chi-middlewares
//rtool:where package(github.com/go-chi/chi/v5) && function(name=Middlewares, receiver=*Mux) && module-version(min=v5.0.12, below=v6.0.0)
//rtool:prepend
func _() {
	defer func() {
		if RtoolReceiver.rtoolRoute && len(RtoolResult0) > 0 {
			RtoolResult0 = RtoolResult0[1:]
		}
	}()
}

// gin: FullPath() is the matched route's template, "" when none matched
// (the 404/405 handlers run the engine's middlewares too).
//
//rtool:aspect builtin.gin-helpers
//rtool:where package(github.com/gin-gonic/gin) && module-version(min=v1.7.7, below=v2.0.0)
//rtool:inject
func rtoolGinRoute(c *Context) {
	if support.Enabled() {
		support.SetHTTPRoute(c.FullPath(), c.Request.URL.Path, false)
	}
	c.Next()
}

//rtool:aspect builtin.gin-new
//rtool:where package(github.com/gin-gonic/gin) && function(name=New, receiver=none) && module-version(min=v1.7.7, below=v2.0.0)
//rtool:prepend
func _() {
	defer func() { RtoolResult0.Use(rtoolGinRoute) }()
}

// echo: routing is done before the middlewares Use adds run; an unmatched
// request runs echo's NotFoundHandler or MethodNotAllowedHandler, whose
// Path() is "" or the path that matched for another method.
//
//rtool:aspect builtin.echo-helpers
//rtool:where package(github.com/labstack/echo/v4) && module-version(min=v4.2.0, below=v5.0.0)
//rtool:inject
func rtoolEchoRoute(next HandlerFunc) HandlerFunc {
	return func(c Context) error {
		if support.Enabled() {
			route := c.Path()
			switch reflect.ValueOf(c.Handler()).Pointer() {
			case reflect.ValueOf(NotFoundHandler).Pointer(), reflect.ValueOf(MethodNotAllowedHandler).Pointer():
				route = ""
			}
			support.SetHTTPRoute(route, c.Request().URL.Path, false)
		}
		return next(c)
	}
}

//rtool:aspect builtin.echo-new
//rtool:where package(github.com/labstack/echo/v4) && function(name=New, receiver=none) && module-version(min=v4.2.0, below=v5.0.0)
//rtool:prepend
func _() {
	defer func() { RtoolResult0.Use(rtoolEchoRoute) }()
}

// gorilla/mux: middlewares run only for a matched route, which
// CurrentRoute names; a PathPrefix route's regexp is not anchored at the
// end.
//
//rtool:aspect builtin.mux-helpers
//rtool:where package(github.com/gorilla/mux) && module-version(min=v1.6.2, below=v2.0.0)
//rtool:inject
func rtoolMuxRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if support.Enabled() {
			if route := CurrentRoute(r); route != nil {
				if tpl, err := route.GetPathTemplate(); err == nil {
					re, _ := route.GetPathRegexp()
					support.SetHTTPRoute(tpl, r.URL.Path, !strings.HasSuffix(re, "$"))
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

//rtool:aspect builtin.mux-new
//rtool:where package(github.com/gorilla/mux) && function(name=NewRouter, receiver=none) && module-version(min=v1.6.2, below=v2.0.0)
//rtool:prepend
func _() {
	defer func() { RtoolResult0.Use(rtoolMuxRoute) }()
}
