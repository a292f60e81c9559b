#!/usr/bin/env python3
"""Checks that compare.py withholds a ratio whenever a contender's predictions disagree with ModelBundle's.

Rerun: .build/python-venv/bin/python Benchmarks/test_compare.py   (any Python with numpy; exits non-zero on failure)
The expected verdicts are written by hand from the tolerances documented in compare.py.
"""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402


class JudgeTests(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.mkdtemp()

    def contender(self, name, predictions, times, **options):
        path = os.path.join(self.directory, f"{name}.json")
        with open(path, "w") as f:
            json.dump({"predictions": predictions}, f)
        contender = compare.Contender(name, [], path, **options)
        contender.times = times
        return contender

    def judged(self, peer_predictions, **options):
        reference = self.contender("ours", [[0.25, 0.75], [0.5, 0.5]], [1.0, 3.0], reference=True)
        peer = self.contender("peer", peer_predictions, [4.0, 4.0], **options)
        compare.judge({"contenders": [reference, peer]})
        return peer

    def test_agreeing_peer_gets_the_ratio_of_medians(self):
        peer = self.judged([[0.25, 0.75], [0.5, 0.5 * (1 + 5e-10)]])
        self.assertEqual(peer.ratio, 0.5)  # median 2.0 s ÷ median 4.0 s
        self.assertTrue(peer.verdict.startswith("agree"))

    def test_peer_off_by_more_than_1e_9_relative_gets_no_ratio(self):
        peer = self.judged([[0.25, 0.75], [0.5, 0.5 * (1 + 2e-9)]])
        self.assertIsNone(peer.ratio)
        self.assertIn("disagree", peer.verdict)

    def test_peer_with_missing_rows_gets_no_ratio(self):
        peer = self.judged([[0.25, 0.75]])
        self.assertIsNone(peer.ratio)
        self.assertIn("disagree", peer.verdict)

    def test_float32_peer_within_its_looser_bound_gets_a_ratio(self):
        peer = self.judged([[0.25002, 0.74998], [0.5, 0.5]], rtol=compare.FLOAT32_RTOL, atol=compare.FLOAT32_ATOL)
        self.assertEqual(peer.ratio, 0.5)

    def test_float32_peer_beyond_its_bound_gets_no_ratio(self):
        peer = self.judged([[0.2501, 0.7499], [0.5, 0.5]], rtol=compare.FLOAT32_RTOL, atol=compare.FLOAT32_ATOL)
        self.assertIsNone(peer.ratio)

    def test_failed_peer_gets_no_ratio(self):
        reference = self.contender("ours", [[1.0]], [1.0], reference=True)
        peer = self.contender("peer", [[1.0]], [], )
        peer.failure = "failed (exit 1)"
        compare.judge({"contenders": [reference, peer]})
        self.assertIsNone(peer.ratio)
        self.assertEqual(peer.verdict, "failed (exit 1)")


if __name__ == "__main__":
    unittest.main()
