"""The responder app (应急指挥手机端, issue #16): an installable offline PWA served at /app/.

It is a client of the domains' JSON APIs like any other page; what it adds on the server is its shell
(`pages.py`: the page, the web app manifest, the service worker at /app/sw.js so its scope is /app/) and
the version gate (`version.py`). Its script and styles are in web/static/app/, its template in
web/templates/app/.
"""
