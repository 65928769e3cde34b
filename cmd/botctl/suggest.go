package main

import (
	"fmt"
	"strings"
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
			d := editDistance(lower, lc)
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

// editDistance is the Levenshtein distance of a and b in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
