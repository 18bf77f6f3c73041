"""WARC + rendered DOM → what the article says about itself: fields, images and photo credits."""
