package risk

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Report is an Expert Determination report (45 CFR 164.514(b)(1)): what
// was measured, on which data, under which model, and the figures, for an
// expert to review and sign. It is written as Markdown and as JSON.
type Report struct {
	Title            string            `json:"title"`
	Generated        time.Time         `json:"generated"`
	Tool             string            `json:"tool"`
	Dataset          Dataset           `json:"dataset"`
	QuasiIdentifiers []QuasiIdentifier `json:"quasi_identifiers"`
	Sensitive        []string          `json:"sensitive,omitempty"`
	Thresholds       Thresholds        `json:"thresholds"`
	// Model, Metric and Solution are set when the data was anonymised.
	Model    *Model        `json:"privacy_model,omitempty"`
	Metric   *MetricInfo   `json:"information_loss_metric,omitempty"`
	Solution *SolutionInfo `json:"solution,omitempty"`
	Before   *Risk         `json:"risk_before"`
	After    *Risk         `json:"risk_after,omitempty"`
	Output   string        `json:"output,omitempty"`
	Findings []string      `json:"findings"`
	// Rejections lists the first malformed records, by line.
	Rejections []*RecordError `json:"rejections,omitempty"`
}

// Dataset identifies the input a report is about.
type Dataset struct {
	Name     string `json:"name"`
	SHA256   string `json:"sha256,omitempty"`
	Records  int    `json:"records"`
	Rejected int    `json:"rejected_records"`
	Columns  int    `json:"columns"`
}

// QuasiIdentifier describes one quasi-identifier and, after anonymisation,
// the level chosen for it.
type QuasiIdentifier struct {
	Column    string `json:"column"`
	Hierarchy string `json:"hierarchy,omitempty"` // source of its hierarchy
	Levels    int    `json:"levels,omitempty"`    // height of its hierarchy
	Level     *int   `json:"level,omitempty"`     // chosen level (0: unchanged)
	Values    int    `json:"values"`              // distinct values released
	Example   string `json:"example,omitempty"`   // a label of the chosen level, from the hierarchy
}

// Thresholds are the limits the figures are judged against.
type Thresholds struct {
	K                int     `json:"k"`
	HighestRisk      float64 `json:"highest_acceptable_risk"` // 1/K
	L                int     `json:"l,omitempty"`
	MaxSuppression   float64 `json:"max_suppression,omitempty"`
	PopulationSource string  `json:"population,omitempty"`
}

// MetricInfo names and explains an information-loss measure.
type MetricInfo struct {
	Name        Metric `json:"name"`
	Description string `json:"description"`
}

// SolutionInfo is the outcome of the lattice search.
type SolutionInfo struct {
	Loss            float64 `json:"information_loss"`
	Suppressed      int     `json:"suppressed_records"`
	SuppressedShare float64 `json:"suppressed_share"`
	Classes         int     `json:"classes"`
	LatticeSize     float64 `json:"lattice_size"`
	Evaluated       int     `json:"nodes_evaluated"`
	Runtime         string  `json:"runtime"`
	RuntimeSeconds  float64 `json:"runtime_seconds"`
}

var metricText = map[Metric]string{
	Loss:           "Generalised loss metric (Iyengar 2002; ARX \"Loss\"): a value generalised to a label covering w of its hierarchy's n values loses (w-1)/(n-1), a suppressed value 1; averaged over every quasi-identifier cell. 0 = data unchanged, 1 = everything suppressed.",
	Precision:      "Precision (Sweeney 2002): a value on level l of a hierarchy of height h loses l/(h-1), a suppressed value 1; averaged over every quasi-identifier cell.",
	Entropy:        "Non-uniform entropy (Gionis and Tassa 2009): a value v generalised to g loses -log2 P(v|g) bits; normalised by the loss of suppressing every record.",
	Discernibility: "Discernibility (Bayardo and Agrawal 2005): each record costs the size of its class, a suppressed record the size of the data set; normalised by its square.",
}

// DescribeMetric returns m with its description.
func DescribeMetric(m Metric) *MetricInfo {
	return &MetricInfo{Name: m, Description: metricText[m]}
}

// WriteJSON writes r as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// findings states what the figures mean, in plain sentences.
func (r *Report) findings() []string {
	var f []string
	fig := r.After
	if fig == nil {
		fig = r.Before
	}
	k := r.Thresholds.K
	if fig.K >= k {
		f = append(f, fmt.Sprintf("Every released record shares its quasi-identifiers with at least %d others (k = %d ≥ %d): no record's prosecutor re-identification probability exceeds %.4f.", fig.K-1, fig.K, k, fig.Prosecutor.Highest))
	} else {
		f = append(f, fmt.Sprintf("%d records (%s) are in equivalence classes smaller than %d (k = %d): their re-identification probability exceeds %.4f.", fig.RecordsBelowK, pct(fig.Prosecutor.RecordsAtRisk), k, fig.K, r.Thresholds.HighestRisk))
	}
	f = append(f, fmt.Sprintf("On average an attacker who targets a record re-identifies it with probability %.4f (prosecutor), and a marketer linking every record re-identifies %s of them.", fig.Prosecutor.Average, pct(fig.Marketer)))
	for _, d := range fig.Sensitive {
		if d.HomogeneousRecords > 0 {
			f = append(f, fmt.Sprintf("%d records are in classes where %q has a single value: it is disclosed without re-identification.", d.HomogeneousRecords, d.Column))
		}
	}
	if r.Solution != nil && r.Solution.Suppressed > 0 {
		f = append(f, fmt.Sprintf("%d records (%s) were suppressed: their quasi-identifiers are released as \"*\" and they are left out of the figures.", r.Solution.Suppressed, pct(r.Solution.SuppressedShare)))
	}
	if !fig.Population {
		f = append(f, "No population table was given: the data set is taken as its own population, the conservative assumption, so journalist risk equals prosecutor risk.")
	}
	return f
}

// Finish fills the findings from the figures; call it once they are set.
func (r *Report) Finish() { r.Findings = r.findings() }

// WriteMarkdown writes r as a Markdown document with a signature block.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", r.Title)
	fmt.Fprintf(&b, "Generated %s by %s.\n\n", r.Generated.UTC().Format("2006-01-02 15:04:05 MST"), r.Tool)
	r.mdDataset(&b)
	r.mdModel(&b)
	if r.Solution != nil {
		r.mdSolution(&b)
	}
	b.WriteString("## Re-identification risk\n\n")
	mdRisk(&b, r.Before, r.After)
	b.WriteString("\n## Findings\n\n")
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "- %s\n", f)
	}
	b.WriteString(signature)
	_, err := io.WriteString(w, b.String())
	return err
}

func (r *Report) mdDataset(b *strings.Builder) {
	d := r.Dataset
	b.WriteString("## Data set\n\n")
	fmt.Fprintf(b, "- Name: `%s`\n", d.Name)
	if d.SHA256 != "" {
		fmt.Fprintf(b, "- SHA-256: `%s`\n", d.SHA256)
	}
	fmt.Fprintf(b, "- Records: %d (%d rejected as malformed), %d columns\n", d.Records, d.Rejected, d.Columns)
	if r.Output != "" {
		fmt.Fprintf(b, "- Released as: `%s`\n", r.Output)
	}
	b.WriteString("\n")
}

func (r *Report) mdModel(b *strings.Builder) {
	b.WriteString("## Quasi-identifiers and model\n\n")
	b.WriteString("| Quasi-identifier | Hierarchy | Levels | Chosen level | Released values | Example |\n|---|---|---|---|---|---|\n")
	for _, q := range r.QuasiIdentifiers {
		level := "-"
		if q.Level != nil {
			level = fmt.Sprint(*q.Level)
		}
		fmt.Fprintf(b, "| %s | %s | %d | %s | %d | %s |\n", q.Column, orDash(q.Hierarchy), q.Levels, level, q.Values, orDash(q.Example))
	}
	b.WriteString("\n")
	if len(r.Sensitive) > 0 {
		fmt.Fprintf(b, "- Sensitive columns: %s\n", strings.Join(r.Sensitive, ", "))
	}
	t := r.Thresholds
	fmt.Fprintf(b, "- Threshold: k = %d (highest acceptable re-identification probability %.4f)\n", t.K, t.HighestRisk)
	if t.L > 1 {
		fmt.Fprintf(b, "- l-diversity threshold: l = %d\n", t.L)
	}
	if r.Model != nil {
		fmt.Fprintf(b, "- Privacy model: %s\n", r.Model)
		fmt.Fprintf(b, "- Information loss: %s\n", r.Metric.Description)
	}
	b.WriteString("- Attacker models: prosecutor (knows the target is in the data), journalist (does not), marketer (links every record); after El Emam, *Guide to the De-Identification of Personal Health Information* (2013).\n\n")
}

func (r *Report) mdSolution(b *strings.Builder) {
	s := r.Solution
	b.WriteString("## Generalisation chosen\n\n")
	fmt.Fprintf(b, "- Information loss (%s): %.6f\n", r.Metric.Name, s.Loss)
	fmt.Fprintf(b, "- Suppressed records: %d (%s)\n", s.Suppressed, pct(s.SuppressedShare))
	fmt.Fprintf(b, "- Equivalence classes released: %d\n", s.Classes)
	fmt.Fprintf(b, "- Search: exact; %d of %.0f lattice nodes evaluated in %s\n\n", s.Evaluated, s.LatticeSize, s.Runtime)
}

func mdRisk(b *strings.Builder, before, after *Risk) {
	b.WriteString("| Figure | Before |")
	if after != nil {
		b.WriteString(" After |")
	}
	b.WriteString("\n|---|---|")
	if after != nil {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, row := range riskRows(before, after) {
		fmt.Fprintf(b, "| %s |\n", strings.Join(row, " | "))
	}
}

func riskRows(before, after *Risk) [][]string {
	figs := []func(*Risk) (string, string){
		func(r *Risk) (string, string) { return "Records analysed", fmt.Sprint(r.Records) },
		func(r *Risk) (string, string) { return "Equivalence classes", fmt.Sprint(r.Classes) },
		func(r *Risk) (string, string) { return "k (smallest class)", fmt.Sprint(r.K) },
		func(r *Risk) (string, string) {
			return fmt.Sprintf("Records in classes < %d", r.ThresholdK), fmt.Sprintf("%d (%s)", r.RecordsBelowK, pct(r.Prosecutor.RecordsAtRisk))
		},
		func(r *Risk) (string, string) {
			return "Sample uniques", fmt.Sprintf("%d (%s)", r.SampleUniques, pct(r.SampleUniqueness))
		},
		func(r *Risk) (string, string) {
			return "Prosecutor risk, highest", fmt.Sprintf("%.4f", r.Prosecutor.Highest)
		},
		func(r *Risk) (string, string) {
			return "Prosecutor risk, average", fmt.Sprintf("%.4f", r.Prosecutor.Average)
		},
		func(r *Risk) (string, string) {
			return "Journalist risk, highest", fmt.Sprintf("%.4f", r.Journalist.Highest)
		},
		func(r *Risk) (string, string) {
			return "Journalist risk, average", fmt.Sprintf("%.4f", r.Journalist.Average)
		},
		func(r *Risk) (string, string) { return "Marketer risk", fmt.Sprintf("%.4f", r.Marketer) },
	}
	var out [][]string
	for _, f := range figs {
		label, v := f(before)
		row := []string{label, v}
		if after != nil {
			_, a := f(after)
			row = append(row, a)
		}
		out = append(out, row)
	}
	for i, d := range before.Sensitive {
		for _, f := range []func(Diversity) (string, string){
			func(d Diversity) (string, string) { return "distinct l", fmt.Sprint(d.DistinctL) },
			func(d Diversity) (string, string) { return "entropy l", fmt.Sprintf("%.3f", d.EntropyL) },
			func(d Diversity) (string, string) {
				return "records in one-value classes", fmt.Sprint(d.HomogeneousRecords)
			},
		} {
			label, v := f(d)
			row := []string{fmt.Sprintf("%s: %s", d.Column, label), v}
			if after != nil && i < len(after.Sensitive) {
				_, a := f(after.Sensitive[i])
				row = append(row, a)
			}
			out = append(out, row)
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return strings.ReplaceAll(s, "|", "\\|")
}

const signature = `
## Determination

I have reviewed the method, the assumptions and the figures above, and the
environment and recipients to which the data will be released. In my
professional judgement, applying generally accepted statistical and
scientific principles, the risk that the information could be used, alone
or in combination with other reasonably available information, by an
anticipated recipient to identify an individual who is a subject of the
information is very small (45 CFR 164.514(b)(1)).

Conditions of release (recipients, use, re-disclosure, retention):

______________________________________________________________________

| | |
|---|---|
| Expert | |
| Qualifications | |
| Signature | |
| Date | |
`
