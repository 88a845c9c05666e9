"""qp-responder: find leaked QuestionPro API keys in git and rotate them safely."""

__version__ = "0.1.0"
