package nlu

import "math"

// Classify tells which intents text asks for. lang is the conversation's
// language (e.g. "en", "de-CH", "ja"); it may be empty. The classifier
// scores against every language's examples, since features of different
// scripts and spellings barely overlap and users mix languages ("Lead
// anlegen" in an English conversation); lang is kept for future
// language-specific folding.
func (m *Model) Classify(text, lang string) Result {
	s := m.scratch.Get().(*scratch)
	defer m.scratch.Put(s)
	qnorm := m.weighQuery(s, text)
	if qnorm == 0 || s.ext.values {
		return Result{Verdict: Unknown} // no words, or only values: an answer ("0711 12"), not a request
	}
	clear(s.acc)
	for i, id := range s.qids {
		w := s.qw[i]
		for _, p := range m.postings[m.postStart[id]:m.postStart[id+1]] {
			s.acc[p.example] += w * p.weight
		}
	}
	clear(s.best)
	inv := float32(1 / math.Sqrt(qnorm))
	for ex, dot := range s.acc[:m.examples] {
		if c := dot * inv; c > s.best[m.exampleIntent[ex]] {
			s.best[m.exampleIntent[ex]] = c
		}
	}
	for in, dot := range s.acc[m.examples:] {
		if s.best[in] < exactCosine {
			s.best[in] = nearestWeight*s.best[in] + (1-nearestWeight)*dot*inv
		}
	}
	m.linearProbs(s, inv)
	for in, p := range s.probs {
		if s.best[in] < exactCosine {
			s.best[in] = float32(math.Sqrt(float64(max(s.best[in], 0) * p)))
		}
	}
	return m.verdict(m.top(s.best))
}

// weighQuery fills s.qids and s.qw with the known features of text and
// their tf-idf weights, and returns the squared norm of the query vector,
// unknown features included (so words the model never saw dilute the
// similarity, at a discount).
func (m *Model) weighQuery(s *scratch, text string) float64 {
	s.query = countFeatures(s.query, s.ext.extract(s.norm.normalize(text)))
	s.qids, s.qw = s.qids[:0], s.qw[:0]
	var sum float64
	for _, f := range s.query {
		tf := 1 + math.Log(float64(f.tf))
		if id, ok := m.featureIDs[f.hash]; ok {
			w := tf * float64(m.idf[id])
			s.qids = append(s.qids, id)
			s.qw = append(s.qw, float32(w))
			sum += w * w
		} else {
			w := tf * m.unknownIDF * unknownDiscount
			sum += w * w
		}
	}
	return sum
}

// top returns the best MaxMatches intents with a positive score, best
// first; equal scores keep training order.
func (m *Model) top(best []float32) []Match {
	var idx [MaxMatches]int
	n := 0
	for in, sc := range best {
		if sc <= 0 {
			continue
		}
		pos := n
		for pos > 0 && best[idx[pos-1]] < sc {
			pos--
		}
		if pos >= MaxMatches {
			continue
		}
		if n < MaxMatches {
			n++
		}
		copy(idx[pos+1:n], idx[pos:n-1])
		idx[pos] = in
	}
	if n == 0 {
		return nil
	}
	matches := make([]Match, n)
	for i := range n {
		matches[i] = Match{Intent: m.intents[idx[i]], Score: clamp01(float64(best[idx[i]]))}
	}
	return matches
}

func (m *Model) verdict(matches []Match) Result {
	r := Result{Verdict: Unknown, Matches: matches}
	if len(matches) == 0 || matches[0].Score < m.opts.Threshold {
		return r
	}
	if len(matches) > 1 && matches[0].Score-matches[1].Score < m.opts.TieMargin {
		r.Verdict = Ambiguous
		return r
	}
	r.Verdict = Confident
	return r
}

func clamp01(x float64) float64 {
	switch {
	case x < 0 || math.IsNaN(x):
		return 0
	case x > 1:
		return 1
	}
	return x
}
