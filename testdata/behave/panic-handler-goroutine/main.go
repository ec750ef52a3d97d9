package main

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"example.org/behave/web"
)

// printed is closed once main printed the answer: the job's panic comes
// after it whatever the machine's load (a sleep made the case flaky).
var printed = make(chan struct{})

//rtool:span
func job() {
	<-printed
	panic("background job failed")
}

func main() {
	base := web.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		go job()
		fmt.Fprint(w, "started")
	}))
	resp, err := http.Get(base + "/job")
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))
	close(printed)
	time.Sleep(5 * time.Second)
	fmt.Println("main woke: the job's panic was lost")
}
