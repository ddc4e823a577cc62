// Command pss-reference judges pods with Kubernetes' own Pod Security
// admission library (k8s.io/pod-security-admission), the reference the
// differential test (test/pss-differential.test.ts) holds `vigil scan` to.
//
// Input, one JSON object per line: {"id": "...", "version": "v1.37", "pod": <a Pod>}.
// Output, one line per input: {"id": "...", "baseline": [ids of failed checks],
// "restricted": [...], "error": "..."}; an empty list means the level allows the pod.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

type request struct {
	ID      string     `json:"id"`
	Version string     `json:"version"`
	Pod     corev1.Pod `json:"pod"`
}

type answer struct {
	ID         string   `json:"id"`
	Baseline   []string `json:"baseline"`
	Restricted []string `json:"restricted"`
	Error      string   `json:"error,omitempty"`
}

func main() {
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pss-reference:", err)
		os.Exit(2)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	encoder := json.NewEncoder(out)
	for in.Scan() {
		var req request
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			_ = encoder.Encode(answer{Error: err.Error()})
			continue
		}
		version, err := api.ParseVersion(req.Version)
		if err != nil {
			_ = encoder.Encode(answer{ID: req.ID, Error: err.Error()})
			continue
		}
		failed := func(level api.Level) []string {
			ids := []string{}
			for _, result := range evaluator.EvaluatePod(api.LevelVersion{Level: level, Version: version}, &req.Pod.ObjectMeta, &req.Pod.Spec) {
				if !result.Allowed {
					ids = append(ids, result.ForbiddenReason)
				}
			}
			sort.Strings(ids)
			return ids
		}
		_ = encoder.Encode(answer{ID: req.ID, Baseline: failed(api.LevelBaseline), Restricted: failed(api.LevelRestricted)})
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "pss-reference:", err)
		os.Exit(2)
	}
}
