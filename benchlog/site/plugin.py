"""The MkDocs plugin: generates the result pages at build time and expands chart/table tags in posts."""

import logging
import re
from pathlib import Path

import plotly
import yaml
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File

from benchlog.site.export import front_matter, take_title
from benchlog.format.load import load_results
from benchlog.site.pages import Renderer
from benchlog.site.strings import UI
from benchlog.site.tags import TagError, expand_tags

log = logging.getLogger("mkdocs.plugins.benchlog")

HERE = Path(__file__).resolve().parent
ASSETS = HERE / "assets"
TEMPLATES = HERE / "templates"  # the generated pages' Jinja templates
THEME = HERE / "theme"  # Material overrides: plotly and benchlog's CSS/JS in <head>, Korean labels
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
ASSET_DIR = "assets/benchlog"
ANCHOR_ID = re.compile(r'\bid="([^"<>]{1,200})"')
GENERATED_MARKER = "benchlog-generated-page"


class BenchlogConfig(Config):
    results_dir = config_options.Type(str, default="results")
    # A folder of Jinja templates that replaces the packaged ones (benchlog/site/templates); empty: the packaged.
    templates_dir = config_options.Type(str, default="")


class BenchlogPlugin(BasePlugin[BenchlogConfig]):
    def on_config(self, config):
        root = Path(config.config_file_path or ".").resolve().parent
        self.results_dir = root / self.config.results_dir
        self.templates_dir = root / self.config.templates_dir if self.config.templates_dir else TEMPLATES
        # The packaged theme overrides come after the blog's own custom_dir (which may override them in turn) and
        # before Material's templates.
        dirs = config.theme.dirs
        dirs.insert(1 if config.theme.custom_dir else 0, str(THEME))
        return config

    def on_files(self, files, config):
        results = load_results(self.results_dir)
        for problem in results.problems:
            log.warning("skipped: %s", problem)
        self.renderer = Renderer(results, self.templates_dir, config.use_directory_urls)
        self.generated, self.bodies = set(), {}
        for src_uri, markdown in self.renderer.pages().items():
            files.append(File.generated(config, src_uri, content=markdown))
            self.generated.add(src_uri)
        for source in [PLOTLY_JS, *sorted(ASSETS.iterdir())]:
            files.append(File.generated(config, f"{ASSET_DIR}/{source.name}", abs_src_path=str(source)))
        return files

    def on_nav(self, nav, config, files):
        """Sections are named after their folders (results/, machines/, blog/): give them their Korean names. With
        many machines the navigation leaves them out (the overview lists and links every one): every page repeats
        the navigation, so listing 2,000 machines made the site grow with their square."""
        def rename(items):
            for item in items:
                if item.is_section:
                    item.title = UI["nav"].get(item.title, item.title)
                    rename(item.children)
        rename(nav.items)
        if self.renderer.many_machines:
            _drop_machine_pages(nav.items)
        return nav

    def on_page_markdown(self, markdown, page, config, files):
        if page.file.src_uri in self.generated:
            # Result pages are HTML built from untrusted files: they skip Markdown and the tag expander entirely
            # (on_page_content puts the HTML back), which also spares Markdown scanning ~150 KB a page.
            self.bodies[page.file.src_uri] = markdown
            return GENERATED_MARKER
        self.renderer.posts = self.renderer.posts or blog_posts(files)
        try:
            return expand_tags(markdown, self.renderer, page_url=page.url)
        except TagError as exc:
            raise PluginError(f"{page.file.src_uri}: {exc}") from None

    def on_page_content(self, html, page, config, files):
        if page.file.src_uri in self.generated:
            body = self.bodies.pop(page.file.src_uri)
            # Markdown never saw this HTML, so MkDocs knows none of its anchors: give it the ids, so a post's link
            # to results/machines/<id>.md#advice is checked like any other (and a typo is reported).
            page.present_anchor_ids = set(ANCHOR_ID.findall(body))
            return body
        return html

    def on_serve(self, server, config, builder):
        for path in (self.results_dir, self.templates_dir, ASSETS):
            if path.exists():
                server.watch(str(path))
        return server


def blog_posts(files, folder="blog/posts/"):
    """[(date, title, url)] of the blog's posts, newest first, for `{{ benchlog table=posts }}`: each post's front
    matter date and title (else its first H1), read as the export reads them; its URL is the one Material's blog
    plugin gave it."""
    posts = []
    for f in files:
        if f.src_uri.startswith(folder) and f.src_uri.endswith(".md"):
            try:
                meta, body = front_matter(f.content_string)
            except yaml.YAMLError:
                meta, body = {}, f.content_string  # MkDocs reports the front matter itself
            date = meta.get("date")
            date = date.get("created") if isinstance(date, dict) else date  # the blog's "date: created:" form
            title = meta.get("title") or take_title(body)[0] or f.name
            posts.append((str(date or "")[:10], str(title), f.url))
    return sorted(posts, reverse=True)


def _drop_machine_pages(items):
    """Removes the machines' section (results/machines/) from a navigation tree, in place."""
    for item in list(items):
        if item.is_section:
            pages = [c for c in item.children if getattr(c, "file", None) is not None]
            if pages and all(c.file.src_uri.startswith("results/machines/") for c in pages):
                items.remove(item)
            else:
                _drop_machine_pages(item.children)
