"""manifest → what changed: two stored captures of a page compared, and a page's history.

`snapshot` reads one capture back from what it stored; `text`, `photos` and `screens` compare
one aspect each; `compare` puts them together and decides what counts as an edit; `history`
lists a page's captures; `report` writes the self-contained HTML report.
"""
