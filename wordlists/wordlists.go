// Package wordlists embeds the word lists that the password policy checks
// against: common passwords and English dictionary words. The lists are
// stored compressed and decompressed once, on first use. See README.md in
// this folder for their sources and licences.
package wordlists

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"strings"
	"sync"
)

//go:embed common-passwords.txt.gz
var commonPasswordsGz []byte

//go:embed english-words.txt.gz
var englishWordsGz []byte

var (
	commonOnce sync.Once
	common     map[string]struct{}

	englishOnce sync.Once
	english     map[string]struct{}
)

// CommonPasswords returns the set of common passwords, lower-cased. The map
// is shared by every caller and must not be modified.
func CommonPasswords() map[string]struct{} {
	commonOnce.Do(func() { common = mustLoad("common-passwords.txt.gz", commonPasswordsGz) })
	return common
}

// EnglishWords returns the set of English dictionary words of four or more
// letters, lower-cased. The map is shared by every caller and must not be
// modified.
func EnglishWords() map[string]struct{} {
	englishOnce.Do(func() { english = mustLoad("english-words.txt.gz", englishWordsGz) })
	return english
}

// mustLoad decompresses an embedded list. The data is part of the binary,
// so a failure here means a broken build, not a run-time condition.
func mustLoad(name string, gz []byte) map[string]struct{} {
	set, err := load(gz)
	if err != nil {
		panic(fmt.Sprintf("wordlists: %s: %v", name, err))
	}
	return set
}

// load reads one entry a line from gzip-compressed data, lower-casing each
// entry and skipping blank lines.
func load(gz []byte) (map[string]struct{}, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	set := make(map[string]struct{}, 1<<16)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		w := strings.ToLower(strings.TrimSpace(sc.Text()))
		if w != "" {
			set[w] = struct{}{}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return set, nil
}
