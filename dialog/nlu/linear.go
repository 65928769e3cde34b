package nlu

import (
	"math"
	"math/rand/v2"
)

// The linear model: multinomial logistic regression over the same
// normalised tf-idf vectors, trained by stochastic gradient descent.
// Where the nearest-utterance and centroid similarity says how much a
// sentence looks like an intent's phrases at all (which is what tells
// out-of-scope text apart), the linear model learns which features set
// intents apart: in a bot with "create a campaign", "update a campaign"
// and "create a contact", it learns that "campaign" says little about
// which of the campaign tasks is meant and "create" much.
const (
	linearEpochs = 12
	linearRate   = 2.0
	linearSeed   = 14 // a fixed shuffle, so training is deterministic
)

// trainLinear fits m.weights (feature-major: feature id × intent) and
// m.bias to the examples.
func (m *Model) trainLinear(examples [][]entry) {
	k := len(m.intents)
	m.weights = make([]float32, len(m.idf)*k)
	m.bias = make([]float32, k)
	if k < 2 {
		return
	}
	order := make([]int, len(examples))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(linearSeed, linearSeed))
	probs := make([]float32, k)
	for epoch := range linearEpochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		rate := float32(linearRate / (1 + float64(epoch)/4))
		for _, ex := range order {
			v := examples[ex]
			copy(probs, m.bias)
			for _, e := range v {
				row := m.weights[int(e.id)*k : int(e.id+1)*k]
				x := float32(e.weight)
				for c := range probs {
					probs[c] += x * row[c]
				}
			}
			softmax(probs)
			probs[m.exampleIntent[ex]] -= 1 // the gradient of the loss by the logits
			for c := range probs {
				m.bias[c] -= rate * probs[c]
			}
			for _, e := range v {
				row := m.weights[int(e.id)*k : int(e.id+1)*k]
				step := rate * float32(e.weight)
				for c := range probs {
					row[c] -= step * probs[c]
				}
			}
		}
	}
}

// linearProbs fills s.probs with the linear model's probability of each
// intent for the query in s (its known features, scaled by inv).
func (m *Model) linearProbs(s *scratch, inv float32) {
	k := len(m.intents)
	copy(s.probs, m.bias)
	for i, id := range s.qids {
		row := m.weights[int(id)*k : int(id+1)*k]
		x := s.qw[i] * inv
		for c := range s.probs {
			s.probs[c] += x * row[c]
		}
	}
	softmax(s.probs)
}

// softmax turns logits into probabilities in place.
func softmax(z []float32) {
	maxZ := z[0]
	for _, v := range z[1:] {
		maxZ = max(maxZ, v)
	}
	var sum float32
	for i, v := range z {
		z[i] = float32(math.Exp(float64(v - maxZ)))
		sum += z[i]
	}
	for i := range z {
		z[i] /= sum
	}
}
