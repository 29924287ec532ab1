//go:build tools

package main

import (
	_ "filippo.io/age"
	_ "github.com/anthropics/anthropic-sdk-go/v2"
	_ "github.com/openai/openai-go/v3"
	_ "github.com/sony/gobreaker/v2"
	_ "golang.org/x/time/rate"
)
