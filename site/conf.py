"""Sphinx configuration of the tutorial's website (`make site`, tools/site.py).

tools/site.py copies this file, the home page and the committed notebooks into build/site-src/ and
builds build/site/ from there; the notebooks are shown as committed, never executed.
"""

from __future__ import annotations

import os

from sphinx.search import languages as search_languages
from sphinx.search.zh import SearchChinese

project = "从零开始学 Keras 深度学习"
author = "keras-tutorial"
copyright = "keras-tutorial contributors, MIT"
language = "zh_CN"

extensions = ["myst_nb", "sphinx_copybutton", "sphinx.ext.mathjax"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# The notebooks are committed with the outputs of one full run: show those, run nothing.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
# The chapters write display formulas inside a paragraph (text, a $$...$$ line, text), as Jupyter
# renders them; MyST reads $$ there only with this on (otherwise a $ of each pair is left as text).
myst_dmath_double_inline = True
myst_heading_anchors = 3
# A notebook's text/html output (Keras's model summary is plain text) needs no widget scripts from a
# CDN; myst-nb adds them only for notebooks with widget state, which these have none of.
nb_ipywidgets_js = {}

# Search in Chinese: Sphinx's zh language cuts the text into words with jieba at build time
# (cut_for_search: 反向传播 is indexed as 反向, 传播 and 反向传播). The glossary's terms are added
# to jieba's dictionary (search_dict.txt, written by tools/site.py), so each term is one word.
html_search_language = "zh"
html_search_options = {"dict": os.path.join(os.path.dirname(__file__), "search_dict.txt")}


class _SearchChinese(SearchChinese):
    """Sphinx 9.0's Chinese search, with its query stemmer named right.

    Its language_data.js ends in ``window.Stemmer = ChineseStemmer``, a name no script defines, so
    the search page stops with "ChineseStemmer is not defined". The Chinese search stems Latin
    words with the English stemmer when it builds the index (SearchChinese.stem); the query must
    be stemmed the same way, by EnglishStemmer, which language_data.js already contains.
    """

    language_name = "English"

    # What a learner types is cut the way the pages were: a run of Chinese characters that is not
    # a word of the index is cut, longest first, into words the index has (jieba made them), so
    # 广播规则 searches 广播 and 规则 rather than a word no page has. Single characters that are no
    # word of the index are left out (the index keeps none). Latin words as Sphinx splits them.
    js_splitter_code = r"""
function splitQuery(query) {
  const index = typeof Search !== "undefined" && Search._index ? Search._index : null;
  const known = (word) =>
    index !== null && (word in index.terms || word in index.titleterms);
  const words = [];
  for (const part of query.split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu)) {
    for (const run of part.match(/\p{Script=Han}+|[^\p{Script=Han}]+/gu) || []) {
      if (!/\p{Script=Han}/u.test(run) || known(run) || index === null) {
        words.push(run);
        continue;
      }
      for (let start = 0; start < run.length; ) {
        let end = Math.min(run.length, start + 8);
        while (end > start + 1 && !known(run.slice(start, end))) end--;
        if (end > start + 1 || known(run.slice(start, end))) words.push(run.slice(start, end));
        start = end;
      }
    }
  }
  return words;
}
"""


search_languages["zh"] = _SearchChinese

# MathJax from the site itself (copied into _static/mathjax by tools/site.py), never from a CDN.
mathjax_path = "mathjax/tex-chtml.js"

html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["_static"]
html_css_files = ["site.css"]
html_favicon = "_static/favicon.svg"
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "show_navbar_depth": 1,
    "home_page_in_toc": True,
    "navigation_with_keys": False,
    "article_header_end": ["article-buttons.html"],
}
templates_path = ["_templates"]
html_context = {"default_mode": "light"}

# The copy button copies the code only, not the "$ " of shell prompts or the outputs.
copybutton_prompt_text = r"\$ "
copybutton_prompt_is_regexp = True
copybutton_exclude = ".linenos, .gp, .go"
