#!/usr/bin/env python3
"""Turns the writers' JSON Lines (corpus/sources/<set>/*.jsonl) into real MIME messages
(corpus/<set>/*.eml) and the labels file (corpus/<set>/expected.json).

    corpus/build.py SET        # SET is train, border, fresh, dev, dev2 or sigtrain

The writers chose the words, the headers, the charset and the form (plain, HTML, both); this
script only makes the MIME: an HTML body in the style of the named client, legacy charsets,
encodings, attachments and delivery-status reports. Every choice it makes on its own (transfer
encoding, report or plain bounce) is a hash of the record's id, so a rebuild gives the same
bytes. Not used at build, test or run time: the .eml files it wrote are in the repository.
"""

import hashlib
import html
import json
import os
import re
import sys
from email import charset as email_charset
from email.header import Header
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, parseaddr

ROOT = os.path.dirname(os.path.abspath(__file__))

QUOTE_START = re.compile(
    r"^(-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|"
    r"Originaalsõnum|Forwarded message|Weitergeleitete Nachricht)|"
    r"(From|Von|De|Da|Van|Från|Od|От|Kimden|Saatja|发件人|寄件者|差出人|보낸 사람|מאת)\s*[:：])",
    re.IGNORECASE,
)


def digest(s):
    return int(hashlib.sha256(s.encode("utf-8")).hexdigest()[:8], 16)


def split_quote(body):
    """(new part, attribution line or None, quoted part) for the HTML rendering."""
    lines = body.split("\n")
    for i, line in enumerate(lines):
        if line.startswith(">"):
            j = i - 1
            while j >= 0 and not lines[j].strip():
                j -= 1
            if j >= 0 and lines[j].rstrip().endswith((":", "：")):
                return "\n".join(lines[:j]), lines[j], "\n".join(lines[i:])
            return "\n".join(lines[:i]), None, "\n".join(lines[i:])
        if QUOTE_START.match(line.strip()) and i > 0:
            return "\n".join(lines[:i]), None, "\n".join(lines[i:])
    return body, None, ""


def paragraphs(text, tag_open, tag_close):
    out = []
    for line in text.split("\n"):
        out.append(tag_open + (html.escape(line) if line.strip() else "<br>") + tag_close)
    return "\n".join(out)


def to_html(body, client):
    new, attribution, quoted = split_quote(body)
    quoted_text = "\n".join(l[1:].lstrip(" ") if l.startswith(">") else l for l in quoted.split("\n"))
    if client == "outlook":
        head = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><style>p.MsoNormal{margin:0}</style></head><body lang="EN-US"><div class="WordSection1">\n'
        main = paragraphs(new, '<p class="MsoNormal">', "</p>")
        quote = ""
        if quoted.strip():
            quote = '\n<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><div id="divRplyFwdMsg">\n' + paragraphs(quoted_text, '<p class="MsoNormal">', "</p>") + "\n</div></div>"
        return head + main + quote + "\n</div></body></html>\n"
    if client in ("apple", "mobile"):
        main = paragraphs(new, "<div>", "</div>")
        quote = ""
        if quoted.strip():
            attr = "<div>" + html.escape(attribution or "") + "</div>" if attribution else ""
            quote = '\n' + attr + '<blockquote type="cite">' + paragraphs(quoted_text, "<div>", "</div>") + "</blockquote>"
        return '<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body dir="auto">' + main + quote + "</body></html>\n"
    if client == "thunderbird":
        main = "<p>" + html.escape(new).replace("\n", "<br>\n") + "</p>"
        quote = ""
        if quoted.strip():
            attr = '<div class="moz-cite-prefix">' + html.escape(attribution or "") + "</div>\n" if attribution else ""
            quote = "\n" + attr + '<blockquote type="cite">' + html.escape(quoted_text).replace("\n", "<br>\n") + "</blockquote>"
        return "<!DOCTYPE html>\n<html><head><meta http-equiv=\"content-type\" content=\"text/html; charset=UTF-8\"></head><body>" + main + quote + "</body></html>\n"
    # gmail, webmail and the rest
    main = '<div dir="ltr">' + paragraphs(new, "<div>", "</div>") + "</div>"
    quote = ""
    if quoted.strip():
        attr = '<div dir="ltr" class="gmail_attr">' + html.escape(attribution or "") + "<br></div>" if attribution else ""
        quote = '<br><div class="gmail_quote">' + attr + '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">' + paragraphs(quoted_text, "<div>", "</div>") + "</blockquote></div>"
    return main + quote + "\n"


def text_part(text, subtype, charset, key):
    """A text part in `charset` (utf-8 when the text does not fit), with a transfer encoding
    chosen by the hash of `key`."""
    try:
        text.encode(charset)
    except (UnicodeEncodeError, LookupError):
        charset = "utf-8"
    cs = email_charset.Charset(charset)
    choice = digest(key) % 3
    if charset == "iso-2022-jp":
        cs.body_encoding = None  # 7bit by nature
    elif choice == 0:
        cs.body_encoding = email_charset.QP
    elif choice == 1:
        cs.body_encoding = email_charset.BASE64
    else:
        cs.body_encoding = None
    if cs.body_encoding is None:
        data = text.encode(charset)
        part = MIMEText("", subtype)
        del part["Content-Transfer-Encoding"]
        part.set_param("charset", charset)
        # The bytes as most clients send them: 8bit (7bit when they are ASCII).
        part.set_payload(data.decode("ascii", "surrogateescape"))
        part["Content-Transfer-Encoding"] = "7bit" if data.isascii() else "8bit"
        return part
    part = MIMEText("", subtype)
    del part["Content-Transfer-Encoding"]
    part.set_payload(text, cs)
    return part


def attachment(name, key):
    lower = name.lower()
    if lower.endswith(".png"):
        data, main, sub = b"\x89PNG\r\n\x1a\n" + hashlib.sha256(key.encode()).digest() * 8, "image", "png"
    elif lower.endswith((".jpg", ".jpeg")):
        data, main, sub = b"\xff\xd8\xff\xe0" + hashlib.sha256(key.encode()).digest() * 8, "image", "jpeg"
    elif lower.endswith(".pdf"):
        data, main, sub = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n", "application", "pdf"
    elif lower.endswith((".txt", ".log", ".csv")):
        data, main, sub = ("log line for %s\n" % key).encode() * 20, "text", "plain"
    else:
        data, main, sub = hashlib.sha256(key.encode()).digest() * 16, "application", "octet-stream"
    if main == "text":
        part = MIMEText(data.decode(), sub, "utf-8")
    elif main == "image":
        part = MIMEBase(main, sub)
        part.set_payload(data)
        from email import encoders

        encoders.encode_base64(part)
    else:
        part = MIMEApplication(data, sub)
    part.add_header("Content-Disposition", "attachment", filename=name)
    return part


def header_value(value, charset):
    try:
        value.encode("ascii")
        return value
    except UnicodeEncodeError:
        try:
            value.encode(charset)
        except (UnicodeEncodeError, LookupError):
            charset = "utf-8"
        return Header(value, charset).encode()


def address(value, charset):
    if isinstance(value, list):
        return ", ".join(address(v, charset) for v in value)
    # Split at the last "<" by hand: parseaddr stumbles over quotes inside a name (ד"ר).
    if value.rstrip().endswith(">") and "<" in value:
        name, _, addr = value.rstrip()[:-1].rpartition("<")
        name = name.strip().strip('"').strip()
    else:
        name, addr = parseaddr(value)
    if not addr:
        return header_value(value, charset)
    if not name:
        return addr
    try:
        name.encode("ascii")
        return formataddr((name, addr.strip()))
    except UnicodeEncodeError:
        return "%s <%s>" % (header_value(name, charset), addr)


def build(rec, set_name):
    key = set_name + ":" + rec["id"]
    charset = (rec.get("charset") or "utf-8").lower()
    fmt = rec.get("format") or "plain"
    client = rec.get("client") or "gmail"
    body = rec.get("body") or ""
    label = rec["label"]

    extra = rec.get("headers") or {}
    # The MIME structure is this script's to make: a writer's Content-* headers say only
    # whether a bounce is a delivery-status report.
    asked = " ".join(str(v) for k, v in extra.items() if k.lower() == "content-type")
    extra = {k: v for k, v in extra.items() if not k.lower().startswith("content-") and k.lower() != "mime-version"}
    report = label == "skip:bounce" and ("report" in asked or digest(key) % 2 == 0)
    if report:
        # Mail systems write their reports in 7bit or quoted-printable.
        content = text_part(body, "plain", charset, "b")
    elif fmt == "html":
        content = text_part(to_html(body, client), "html", charset, key)
    elif fmt == "both":
        content = MIMEMultipart("alternative")
        content.attach(text_part(body, "plain", charset, key))
        content.attach(text_part(to_html(body, client), "html", charset, key + "h"))
    else:
        content = text_part(body, "plain", charset, key)

    if report:
        report = MIMEMultipart("report", report_type="delivery-status")
        report.attach(content)
        status = MIMEBase("message", "delivery-status")
        per_message, per_recipient = Message(), Message()
        per_message["Reporting-MTA"] = "dns; mx.example.net"
        per_recipient["Final-Recipient"] = "rfc822; unknown@example.org"
        per_recipient["Action"] = "failed"
        per_recipient["Status"] = "5.1.1"
        per_recipient["Diagnostic-Code"] = "smtp; 550 5.1.1 User unknown"
        status.set_payload([per_message, per_recipient])
        report.attach(status)
        content = report

    if rec.get("attachments"):
        outer = MIMEMultipart("mixed")
        outer.attach(content)
        for name in rec["attachments"]:
            outer.attach(attachment(name, key + name))
        msg = outer
    else:
        msg = content

    headers = [
        ("From", address(rec["from"], charset)),
        ("To", address(rec.get("to") or "support@example.com", charset)),
    ]
    if rec.get("cc"):
        headers.append(("Cc", address(rec["cc"], charset)))
    if rec.get("reply_to"):
        headers.append(("Reply-To", address(rec["reply_to"], charset)))
    headers += [
        ("Subject", header_value(rec.get("subject") or "", charset)),
        ("Date", rec["date"]),
        ("Message-ID", "<%s.%08x@%s>" % (re.sub(r"[^A-Za-z0-9.-]", "-", rec["id"]), digest(key), parseaddr(rec["from"])[1].split("@")[-1] or "example.org")),
    ]
    for name, value in extra.items():
        headers.append((name, header_value(str(value), charset)))
    for i, part in enumerate(msg.walk()):
        del part["MIME-Version"]
        if part.is_multipart():
            part.set_boundary("=_mt_%08x_%d" % (digest(key), i))
    existing = list(msg.items())
    for name in list(msg.keys()):
        del msg[name]
    for name, value in headers:
        msg[name] = value
    msg["MIME-Version"] = "1.0"
    for name, value in existing:
        msg[name] = value
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n", max_line_length=998))


SIGNAL_KEYS = ("tried", "refs", "asks", "deadline", "phone")
# Sets labelled like the dev set (signals and facts): the dev set and later blind sets.
LABELLED_SETS = ("dev", "dev2", "sigtrain")


# Sets labelled with the category only: the training set, and blind sets kept for measuring.
CATEGORY_SETS = ("train", "border", "fresh")


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in CATEGORY_SETS + LABELLED_SETS:
        sys.exit("usage: corpus/build.py %s" % "|".join(CATEGORY_SETS + LABELLED_SETS))
    set_name = sys.argv[1]
    src = os.path.join(ROOT, "sources", set_name)
    out = os.path.join(ROOT, set_name)
    os.makedirs(out, exist_ok=True)
    for old in os.listdir(out):
        if old.endswith(".eml"):
            os.remove(os.path.join(out, old))
    labels = {}
    seen = set()
    for file in sorted(os.listdir(src)):
        if not file.endswith(".jsonl"):
            continue
        writer = file.split("-")[0]
        for n, line in enumerate(open(os.path.join(src, file), encoding="utf-8"), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                label = rec["label"]
                lang = rec["lang"]
            except (ValueError, KeyError) as e:
                sys.exit("%s:%d: %s" % (file, n, e))
            name = "%s-%s-%03d-%s.eml" % (writer, lang, n, label.replace("skip:", "skip-"))
            if name in seen:
                sys.exit("%s:%d: duplicate name %s" % (file, n, name))
            seen.add(name)
            rec["id"] = "%s-%s" % (writer, rec.get("id") or n)
            with open(os.path.join(out, name), "wb") as f:
                f.write(build(rec, set_name))
            skip = label[5:] if label.startswith("skip:") else None
            entry = {
                "action": "skip" if skip else "draft",
                "category": None if skip else label,
                "language": lang,
                "skip_reason": skip,
            }
            if set_name in LABELLED_SETS:
                entry["signals"] = {k: rec.get(k) for k in SIGNAL_KEYS}
                entry["signals"]["attachments"] = len(rec.get("attachments") or [])
                entry["facts"] = rec.get("facts") or []
            labels[name] = entry
    with open(os.path.join(out, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(labels, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")
    print("%s: %d messages" % (set_name, len(labels)))


if __name__ == "__main__":
    main()
