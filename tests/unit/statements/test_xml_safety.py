"""Hostile XML is refused before lxml reads an entity, with a message that says why."""

import pytest

from payrecon.errors import StatementFormatError
from payrecon.statements.camt import parse_camt
from payrecon.statements.xml_safety import parse_xml

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>&lol9;</MsgId></GrpHdr></BkToCstmrStmt></Document>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>&xxe;</MsgId></GrpHdr><Stmt><Id>&xxe;</Id></Stmt></BkToCstmrStmt></Document>
"""


def test_billion_laughs_is_refused_without_expanding_anything():
    with pytest.raises(StatementFormatError) as caught:
        parse_camt(BILLION_LAUGHS)
    assert "<!DOCTYPE declaration is refused" in str(caught.value)
    assert caught.value.where == "line 2"
    assert "lollol" not in str(caught.value)


def test_external_entity_to_etc_passwd_is_refused_and_nothing_is_read():
    with pytest.raises(StatementFormatError) as caught:
        parse_camt(EXTERNAL_ENTITY)
    message = str(caught.value)
    assert "DOCTYPE" in message
    assert "root:" not in message  # the first line of /etc/passwd never shows up


def test_a_bare_doctype_is_refused():
    with pytest.raises(StatementFormatError, match="DOCTYPE"):
        parse_xml(b'<?xml version="1.0"?>\n<!DOCTYPE Document SYSTEM "camt.dtd">\n<Document/>')


def test_an_entity_declaration_hidden_in_utf16_is_refused():
    data = '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE d [<!ENTITY a "b">]><d/>'
    with pytest.raises(StatementFormatError, match="DOCTYPE"):
        parse_xml(data.encode("utf-16"))


def test_a_60_mb_file_is_refused_by_its_size_before_parsing():
    huge = b"<Document>" + b" " * (60 * 1024 * 1024) + b"</Document>"
    with pytest.raises(StatementFormatError) as caught:
        parse_camt(huge)
    assert "the limit for XML statements is 52,428,800 bytes" in str(caught.value)
    assert caught.value.where == "file"


def test_the_size_limit_is_configurable():
    with pytest.raises(StatementFormatError, match="limit"):
        parse_xml(b"<Document/>" + b" " * 100, max_bytes=50)
    assert parse_xml(b"<Document/>", max_bytes=50).tag == "Document"


def test_malformed_xml_names_the_line():
    with pytest.raises(StatementFormatError, match="not well-formed") as caught:
        parse_xml(b"<Document>\n<Stmt>\n</Document>")
    assert caught.value.where == "line 3"


def test_an_empty_file_is_refused():
    with pytest.raises(StatementFormatError, match="empty"):
        parse_xml(b"  \n")
