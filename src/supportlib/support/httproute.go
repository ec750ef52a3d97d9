package support

import "strings"

// Routers (chi, gin, echo, gorilla/mux: rtool's router aspects) tell the
// server span which route template they matched; net/http cannot see it.
// Routers nest (a router mounted under ServeMux or under another router,
// with or without http.StripPrefix), so several may report for one
// request; the span gets the most specific full template known:
//
//   - a template that matches the whole path beats one that matches a
//     prefix of it (a catch-all: `/*`, `/*path`, `{path...}`, gorilla/mux's
//     PathPrefix), whichever router reported it;
//   - among those, the longest wins (an inner router's template extends
//     the prefix the outer one matched); on a tie, the router's over
//     ServeMux's, the later report over the earlier;
//   - a template reported by a router that saw a shorter path than the
//     request's (a prefix stripped before it) gets that stripped prefix put
//     back in front, as the text that was stripped;
//   - a router that matched nothing (404, 405) leaves prefix templates out:
//     the outer router only handed the request on, so the span keeps the
//     method-only name (unless a full template is known).

// httpRoute is what routers reported for one server span (under its mu).
type httpRoute struct {
	best string // the full template so far
	rank int    // best's rank (0: none)
	miss bool   // a router matched nothing
}

// routeRank orders templates: whole-path ones above prefix ones, then by
// length.
func routeRank(route string, prefix bool) int {
	if route == "" {
		return 0
	}
	if prefix || catchAll(route) {
		return 1<<20 + len(route)
	}
	return 2<<20 + len(route)
}

// catchAll: the template's last segment takes the rest of the path.
func catchAll(route string) bool {
	last := route[strings.LastIndexByte(route, '/')+1:]
	return strings.HasPrefix(last, "*") || strings.HasSuffix(last, "...}")
}

// final is the span's route: the best reported template or the ServeMux
// route (mux, from routeOf), the router's on a tie; none for a prefix
// template when a router matched nothing.
func (r *httpRoute) final(mux string) string {
	best, rank := r.best, r.rank
	if m := routeRank(mux, false); m > rank {
		best, rank = mux, m
	}
	if r.miss && rank < 2<<20 {
		return ""
	}
	return best
}

// SetHTTPRoute reports the route template a router matched for the request
// it serves (route "": it matched none, a 404 or 405) to that request's
// server span: the nearest one among the spans current on this goroutine
// (those it inherited included: a router run on a goroutine the handler
// started finds it while the request is in flight). path is the request's
// path as the router saw it (r.URL.Path); prefix says the template matches
// only a prefix of it (gorilla/mux's PathPrefix). Nothing happens when no
// server span is recording.
func SetHTTPRoute(route, path string, prefix bool) {
	if current() == nil {
		return
	}
	s := CurrentSpan()
	for s != nil && !s.httpServer {
		s = live(s.prev)
	}
	if !s.recording() || s.http == nil {
		return
	}
	s.mu.Lock()
	if h := &s.http.routes; !s.ended {
		if route == "" {
			h.miss = true
		} else {
			route = underPrefix(s.http.path, path, route)
			if rank := routeRank(route, prefix); rank >= h.rank {
				h.best, h.rank = route, rank
			}
		}
	}
	s.mu.Unlock()
}

// underPrefix is route with the prefix stripped before the router saw
// seen (the request's path was full) put back in front.
func underPrefix(full, seen, route string) string {
	if seen == "" || seen == full || !strings.HasSuffix(full, seen) {
		return route
	}
	prefix := full[:len(full)-len(seen)]
	if strings.HasSuffix(prefix, "/") && strings.HasPrefix(route, "/") {
		prefix = prefix[:len(prefix)-1]
	}
	return prefix + route
}
