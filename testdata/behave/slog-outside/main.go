package main

import (
	"log"
	"log/slog"
	"os"
)

//rtool:span
func step(n int) int { return n + 1 }

func noTime(groups []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey && len(groups) == 0 {
		return slog.Attr{}
	}
	return a
}

func main() {
	log.SetFlags(0)
	n := step(1)
	text := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: noTime}))
	text.Info("text record", "step", n)
	js := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: noTime, Level: slog.LevelDebug}))
	js.Debug("json record", "step", n, slog.Group("g", "k", "v"))
	slog.Warn("default logger", "step", n)
}
