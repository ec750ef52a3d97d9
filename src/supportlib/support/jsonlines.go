package support

import (
	"io"
	"os"
	"sync"
	"time"
)

// jsonLines writes each span as one JSON object per line (the OTLP JSON
// span shape), to stderr or a file, for local use: RTOOL_TRACE=stderr or
// RTOOL_TRACE=/path/to/file.
type jsonLines struct {
	mu  sync.Mutex
	w   io.Writer
	to  string
	buf []byte // reused from batch to batch
}

// newJSONLines opens dest; nil (said on log) if it cannot.
func newJSONLines(dest string, log *logger) exporter {
	var w io.Writer = os.Stderr
	if dest != "stderr" {
		f, err := os.OpenFile(dest, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			log.print(levelError, "RTOOL_TRACE="+shown(dest)+": "+err.Error()+"; tracing is off")
			return nil
		}
		w = f
	}
	return &jsonLines{w: w, to: dest}
}

func (j *jsonLines) dest() string { return j.to }

func (j *jsonLines) export(spans []*Span, _ time.Time) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	b := j.buf[:0]
	for _, s := range spans {
		b = append(appendSpan(b, s), '\n')
	}
	j.buf = b
	_, err := j.w.Write(b)
	return err
}
