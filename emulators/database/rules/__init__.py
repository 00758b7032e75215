"""Security rules for the Realtime Database: parser, evaluator and ruleset checks."""
