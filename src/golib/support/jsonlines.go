package support

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
)

// jsonLines writes each span as one JSON object per line (the OTLP JSON
// span shape, plus its resource's service name), to stderr or a file, for
// local use: RTOOL_TRACE=stderr or RTOOL_TRACE=/path/to/file.
type jsonLines struct {
	mu       sync.Mutex
	w        io.Writer
	resource []Attr
}

func newJSONLines(dest string) exporter {
	var w io.Writer = os.Stderr
	if dest != "stderr" {
		f, err := os.OpenFile(dest, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(os.Stderr, "rtool: tracing off: %v\n", err)
			return nil
		}
		w = f
	}
	return &jsonLines{w: w, resource: resourceFromEnv()}
}

func (j *jsonLines) export(spans []*Span) error {
	req := encodeOTLP(j.resource, spans)
	j.mu.Lock()
	defer j.mu.Unlock()
	enc := json.NewEncoder(j.w)
	for _, s := range req.ResourceSpans[0].ScopeSpans[0].Spans {
		if err := enc.Encode(s); err != nil {
			return err
		}
	}
	return nil
}
