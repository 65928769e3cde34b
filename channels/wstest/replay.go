package wstest

// ReadReplay reads the replay of a resume (a connection opened with
// session and last_seq, after its session frame): the numbered frames up
// to the replayed frame that ends it. It returns them and the replayed
// frame, and sets LastSeq to the replayed frame's last_seq (the client
// now has everything up to it). It fails the test on any other frame
// before the replayed one, such as an error.
func (c *Client) ReadReplay() ([]Frame, Frame) {
	c.TB.Helper()
	var frames []Frame
	for {
		f := c.Read()
		if f.Type == "replayed" {
			c.LastSeq = f.LastSeq
			return frames, f
		}
		if f.Seq == 0 {
			c.TB.Fatalf("wstest: frame %s during the replay; want numbered frames, then a replayed frame", f.Raw)
		}
		frames = append(frames, f)
	}
}
