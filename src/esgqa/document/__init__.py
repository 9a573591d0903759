"""What a report looks like to everything after reading it: words, lines and tables with their boxes.

Built from pypdfium2 character boxes because pdfplumber's table finder lost most real cells; the
table reader here works from where words sit, so it needs neither ruling lines nor a year header.
"""
