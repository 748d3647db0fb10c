"""The designer's import path — the very function its uploader calls — under 1,000 random files:
a valid document sets the controls, anything else raises one ConfigError and changes nothing."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

import schedules
from schedules import ConfigError
from studio import design
from tests.strategies import broken_documents, documents, json_values

files = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(str.encode),
    json_values.map(lambda value: json.dumps(value).encode()),
    broken_documents().map(lambda doc: json.dumps(doc).encode()),
    documents().map(lambda doc: json.dumps(doc).encode()),
    documents().map(lambda doc: json.dumps(doc).replace("1", "NaN", 1).encode()),
)


@settings(max_examples=1000, deadline=None)
@given(files)
def test_import_sets_every_control_or_changes_nothing(data):
    state = dict(design.DEFAULTS)
    try:
        design.import_into(state, data)
    except ConfigError as error:
        assert state == design.DEFAULTS
        assert ": " in str(error) and "\n" not in str(error)
    else:
        imported = schedules.loads(data)
        assert schedules.from_config(design.document(state)) == imported
