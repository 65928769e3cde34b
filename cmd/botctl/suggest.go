package main

import (
	"fmt"
	"strings"

	"github.com/botforge/dialogd/nodes"
)

// didYouMean returns ` (did you mean "x"?)` naming the candidate closest
// to name, or "" when none is close. A candidate that contains name, or
// that name contains, is closest (the shortest such); otherwise the one
// with the smallest edit distance, if that distance is under half of
// name's length.
func didYouMean(name string, candidates []string) string {
	if best := closest(name, candidates); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

func closest(name string, candidates []string) string {
	lower := strings.ToLower(name)
	best, bestScore := "", 0
	for _, c := range candidates {
		score := 0
		switch lc := strings.ToLower(c); {
		case lc == lower:
			return c
		case lower != "" && (strings.Contains(lc, lower) || strings.Contains(lower, lc)):
			score = 1000 - len(c)
		default:
			d := nodes.EditDistance(lower, lc)
			if 2*d >= len(lower)+1 {
				continue
			}
			score = -d
		}
		if best == "" || score > bestScore || (score == bestScore && c < best) {
			best, bestScore = c, score
		}
	}
	return best
}
