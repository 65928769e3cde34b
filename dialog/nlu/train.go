package nlu

import (
	"fmt"
	"math"
	"slices"
	"sync"
)

// Model is a trained classifier (see the package documentation for how
// it scores). It is read-only after Train, so Classify may be called from
// many goroutines at once.
type Model struct {
	opts          Options
	intents       []string         // intent names in order of first example
	exampleIntent []int32          // example → index in intents
	examples      int              // documents below it are examples, from it on centroids
	featureIDs    map[uint64]int32 // feature hash → feature id
	idf           []float32        // feature id → inverse document frequency
	postStart     []int32          // feature id → its first posting; len = features+1
	postings      []posting        // grouped by feature id
	unknownIDF    float64          // the idf a feature no example has would get
	weights       []float32        // the linear model: feature id × intent
	bias          []float32        // the linear model: intent
	scratch       sync.Pool        // *scratch, Classify's reusable buffers
}

type posting struct {
	example int32
	weight  float32
}

// unknownDiscount scales the weight of a sentence's features that no
// training utterance has: they lower the similarity (extra words make a
// sentence less like the training one) but less than a known feature
// raises it, so polite padding ("I'd like to … please") costs little.
const unknownDiscount = 0.35

// nearestWeight is the share of the nearest utterance in an intent's
// score; the centroid has the rest.
const nearestWeight = 0.3

// exactCosine is the similarity from which a sentence counts as one of
// the intent's training utterances (up to case, width and punctuation):
// the intent then scores its nearest cosine, about 1, as exact phrases
// keep working as they did before the classifier.
const exactCosine = 0.999

// scratch holds one Classify call's buffers.
type scratch struct {
	norm  *normalizer
	ext   extractor
	query []counted // the query's distinct features with their counts
	qids  []int32
	qw    []float32
	acc   []float32 // example → dot product with the query
	best  []float32 // intent → similarity score
	probs []float32 // intent → the linear model's probability
}

// counted is one feature of one training example with its count.
type counted struct {
	hash uint64
	tf   int
}

// Train builds a model from examples. An example without intent is an
// error; one whose text has no words is skipped.
func Train(examples []Example, opts Options) (*Model, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	m := &Model{opts: opts, featureIDs: map[uint64]int32{}}
	intentIndex := map[string]int32{}
	norm, ext := newNormalizer(), &extractor{}
	var docs [][]counted
	df := map[uint64]int{}
	for i, ex := range examples {
		if ex.Intent == "" {
			return nil, fmt.Errorf("nlu: example %d (%q) has no intent", i, ex.Text)
		}
		doc := countFeatures(nil, ext.extract(norm.normalize(ex.Text)))
		if len(doc) == 0 {
			continue
		}
		in, ok := intentIndex[ex.Intent]
		if !ok {
			in = int32(len(m.intents))
			intentIndex[ex.Intent] = in
			m.intents = append(m.intents, ex.Intent)
		}
		m.exampleIntent = append(m.exampleIntent, in)
		docs = append(docs, doc)
		for _, f := range doc {
			df[f.hash]++
		}
	}
	if len(docs) == 0 {
		return nil, ErrNoExamples
	}
	m.examples = len(docs)
	m.index(docs, df)
	m.scratch.New = func() any {
		return &scratch{norm: newNormalizer(), acc: make([]float32, len(docs)+len(m.intents)),
			best: make([]float32, len(m.intents)), probs: make([]float32, len(m.intents))}
	}
	return m, nil
}

// countFeatures sorts feats and appends each distinct one with its count
// to dst[:0].
func countFeatures(dst []counted, feats []uint64) []counted {
	slices.Sort(feats)
	out := dst[:0]
	for i := 0; i < len(feats); {
		j := i + 1
		for j < len(feats) && feats[j] == feats[i] {
			j++
		}
		out = append(out, counted{feats[i], j - i})
		i = j
	}
	return out
}

// entry is one feature of a sparse vector.
type entry struct {
	id     int32
	weight float64
}

// index assigns feature ids, computes idf, trains the linear model and
// builds the inverted index of the examples' and the centroids'
// normalised tf-idf vectors.
func (m *Model) index(docs [][]counted, df map[uint64]int) {
	n := float64(len(docs))
	m.unknownIDF = math.Log((n+1)/1) + 1
	m.idf = make([]float32, 0, len(df))
	for _, doc := range docs {
		for _, f := range doc {
			if _, ok := m.featureIDs[f.hash]; !ok {
				m.featureIDs[f.hash] = int32(len(m.idf))
				m.idf = append(m.idf, float32(math.Log((n+1)/float64(df[f.hash]+1))+1))
			}
		}
	}
	vectors := make([][]entry, 0, len(docs)+len(m.intents))
	for _, doc := range docs {
		v := make([]entry, len(doc))
		for i, f := range doc {
			id := m.featureIDs[f.hash]
			v[i] = entry{id, (1 + math.Log(float64(f.tf))) * float64(m.idf[id])}
		}
		slices.SortFunc(v, func(a, b entry) int { return int(a.id - b.id) })
		vectors = append(vectors, normalizeVector(v))
	}
	m.trainLinear(vectors)
	vectors = append(vectors, m.centroids(vectors)...)
	m.buildPostings(vectors)
}

// centroids returns each intent's normalised sum of its examples.
func (m *Model) centroids(examples [][]entry) [][]entry {
	sums := make([]map[int32]float64, len(m.intents))
	for i := range sums {
		sums[i] = map[int32]float64{}
	}
	for ex, v := range examples {
		for _, e := range v {
			sums[m.exampleIntent[ex]][e.id] += e.weight
		}
	}
	out := make([][]entry, len(sums))
	for i, sum := range sums {
		v := make([]entry, 0, len(sum))
		for id, w := range sum {
			v = append(v, entry{id, w})
		}
		slices.SortFunc(v, func(a, b entry) int { return int(a.id - b.id) })
		out[i] = normalizeVector(v)
	}
	return out
}

func normalizeVector(v []entry) []entry {
	var sum float64
	for _, e := range v {
		sum += e.weight * e.weight
	}
	inv := 1 / math.Sqrt(sum)
	for i := range v {
		v[i].weight *= inv
	}
	return v
}

// buildPostings lays the documents' vectors out feature by feature, in
// document order so Classify adds them up deterministically.
func (m *Model) buildPostings(vectors [][]entry) {
	m.postStart = make([]int32, len(m.idf)+1)
	for _, v := range vectors {
		for _, e := range v {
			m.postStart[e.id+1]++
		}
	}
	for id := range m.idf {
		m.postStart[id+1] += m.postStart[id]
	}
	m.postings = make([]posting, m.postStart[len(m.idf)])
	fill := slices.Clone(m.postStart[:len(m.idf)])
	for doc, v := range vectors {
		for _, e := range v {
			m.postings[fill[e.id]] = posting{example: int32(doc), weight: float32(e.weight)}
			fill[e.id]++
		}
	}
}
