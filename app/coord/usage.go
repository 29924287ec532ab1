package coord

// usage follows which attempts' prompts a request's prompt_tokens count,
// so that its prompt estimate (prompt_estimate) covers the same prompts:
// the context builder learns how a model counts from the ratio of the two
// (db.Store.PromptTokenRatio).
type usage struct {
	est      int    // the estimates of the counted prompts, summed
	last     int    // the last attempt's estimate
	provider string // the provider and model of the counted prompts
	model    string
	mixed    bool // prompts of more than one provider or model are counted
	guessed  bool // a prompt's tokens are recorded by estimate (guess)
}

// guess notes that an attempt's prompt tokens are recorded by estimate, not
// as the provider counted them: the request's ratio would be 1 and teach
// nothing, so it records no estimate to calibrate with.
func (u *usage) guess() { u.guessed = true }

// add notes an attempt on provider and model for which the provider
// counted promptTokens, estimated at est.
func (u *usage) add(provider, model string, promptTokens, est int) {
	u.last = est
	if promptTokens <= 0 {
		return
	}
	if u.est > 0 && (provider != u.provider || model != u.model) {
		u.mixed = true
	}
	u.provider, u.model = provider, model
	u.est += est
}

// estimate is the prompt estimate to record beside the request's
// prompt_tokens when provider and model answered last: the sum of the
// counted prompts' estimates. When the counted prompts include another
// model's, the ratio would mix two models' ways of counting: it is 0, and
// the request teaches nothing, as when a prompt's tokens were estimated
// (guess). With no prompt counted it is the last attempt's estimate.
func (u *usage) estimate(provider, model string) int {
	switch {
	case u.guessed:
		return 0
	case u.est == 0:
		return u.last
	case u.mixed || provider != u.provider || model != u.model:
		return 0
	}
	return u.est
}
