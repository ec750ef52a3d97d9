// A module whose go.mod says go 1.20: panic(nil) keeps its old meaning
// (GODEBUG panicnil=1): recover() returns nil, and an unrecovered
// panic(nil) prints "panic: nil".
module example.org/behave/panicnil

go 1.20
