// Command cgohello adds two numbers in C: it builds only with cgo.
package main

/*
static int add(int a, int b) { return a + b; }
*/
import "C"

import "fmt"

func main() {
	fmt.Printf("cgohello: 2 + 3 = %d (in C)\n", C.add(2, 3))
}
