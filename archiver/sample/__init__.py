"""The bundled sample news article (the files beside this module) and the server that shows it."""

from archiver.sample.server import ARTICLE_PATH, serve_sample

__all__ = ["ARTICLE_PATH", "serve_sample"]
