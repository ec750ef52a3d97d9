package support

import (
	"os"
	"strconv"
	"strings"
)

// sampler decides whether a new span records, as OTEL_TRACES_SAMPLER and
// OTEL_TRACES_SAMPLER_ARG say (the OpenTelemetry SDK environment
// variables): always_on, always_off, traceidratio, and their parentbased_
// forms (the default is parentbased_always_on).
type sampler struct {
	parentBased bool
	// Spans whose trace id falls under this bound record (ratio × 2^63).
	bound uint64
}

// samplerFromEnv reads the sampler's variables; a name or an argument it
// cannot use is said once, on log, and the default applies (names as the
// SDKs take them: case-insensitive, spaces around ignored).
func samplerFromEnv(log *logger) sampler {
	ratio := 1.0
	name := strings.ToLower(strings.TrimSpace(os.Getenv("OTEL_TRACES_SAMPLER")))
	ratioUsed := name == "traceidratio" || name == "parentbased_traceidratio"
	if arg := os.Getenv("OTEL_TRACES_SAMPLER_ARG"); arg != "" && ratioUsed {
		if r, err := strconv.ParseFloat(strings.TrimSpace(arg), 64); err == nil && r >= 0 && r <= 1 {
			ratio = r
		} else {
			log.print(levelWarn, "OTEL_TRACES_SAMPLER_ARG="+shown(arg)+" is not a ratio (a number from 0 to 1); using 1")
		}
	}
	s := sampler{parentBased: true, bound: 1 << 63}
	switch name {
	case "", "parentbased_always_on":
	case "always_on":
		s.parentBased = false
	case "always_off":
		s = sampler{parentBased: false, bound: 0}
	case "traceidratio":
		s = sampler{parentBased: false, bound: ratioBound(ratio)}
	case "parentbased_always_off":
		s.bound = 0
	case "parentbased_traceidratio":
		s.bound = ratioBound(ratio)
	default:
		log.print(levelWarn, "OTEL_TRACES_SAMPLER="+shown(os.Getenv("OTEL_TRACES_SAMPLER"))+
			" is not a sampler rtool has (always_on, always_off, traceidratio, and their parentbased_ forms); using parentbased_always_on")
	}
	return s
}

func ratioBound(r float64) uint64 {
	if r >= 1 {
		return 1 << 63
	}
	return uint64(r * (1 << 63))
}

func (s sampler) sample(tid TraceID, hasParent, parentSampled bool) bool {
	if s.parentBased && hasParent {
		return parentSampled
	}
	if s.bound == 1<<63 {
		return true
	}
	// As the OpenTelemetry Go SDK does: the trace id's low 8 bytes.
	return getUint64(tid[8:])>>1 < s.bound
}
