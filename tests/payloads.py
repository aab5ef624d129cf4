"""Hostile transcripts that *should* reach the index (they are valid transcripts whose answers
carry markup). Shared by the bad-input test (they index) and the browser test (they show as text).

Each: (file name, content, question that finds it, text that must be visible verbatim).
Every payload sets ``window.__xss`` if it ever runs.
"""

PAGE = ("<html><head><title>Foreign Ministry Spokesperson Hua Chunying's Regular Press Conference on July 1, "
        "2019</title></head><body><div class=\"content\"><p>Q: What about the pangolin reserve?</p><p>A: The pangolin "
        "reserve &lt;script&gt;window.__xss=15&lt;/script&gt; is protected &amp; thriving.</p></div></body></html>")

PAYLOADS: list[tuple[str, str, str, str]] = [
    ("p_script.txt", "Reuters: Any comment on the quokka sanctuary?\nMao Ning: The quokka sanctuary "
     "<script>window.__xss=11</script> is doing well.\n", "quokka sanctuary", "<script>window.__xss=11</script>"),
    ("p_img.txt", "AFP: What about the narwhal census?\nMao Ning: The narwhal census "
     "<img src=x onerror=\"window.__xss=12\"> continues.\n", "narwhal census", '<img src=x onerror="window.__xss=12">'),
    ("p_links.txt", "CCTV: Comment on the axolotl festival?\nMao Ning: The axolotl festival "
     "[click](javascript:window.__xss=13) and <a href=\"javascript:window.__xss=14\">here</a> welcomes all.\n",
     "axolotl festival", "[click](javascript:window.__xss=13)"),
    ("p_entities.html", PAGE, "pangolin reserve", "<script>window.__xss=15</script>"),
    ("p_markdown.txt", "NHK: What about the tapir breeding program?\nMao Ning: The tapir breeding program is on track. "
     "Tapirs **bold** _it_ ![i](x.png) `code` <iframe src=\"javascript:window.__xss=16\"></iframe> are thriving.\n", "tapir breeding program",
     '<iframe src="javascript:window.__xss=16"></iframe>'),
    ("p_svg.txt", "BBC: How is the wombat bridge?\nMao Ning: The wombat bridge <svg onload=\"window.__xss=17\"></svg>"
     " <style>body{display:none}</style> is open.\n", "wombat bridge", '<svg onload="window.__xss=17"></svg>'),
    ("p_bidi.txt", "TASS: Any update on the okapi \u202eexchange\u202c?\nMao Ning: The okapi exchange\u200b with "
     "\u2067partners\u2069 goes ahead.\n", "okapi exchange", "The okapi exchange with partners goes ahead."),
]
