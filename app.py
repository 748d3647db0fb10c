"""The learning-rate schedule studio: `streamlit run app.py`."""

from pathlib import Path

import streamlit as st

# The tab icon ships with the app: a material-icon name here would be fetched from a font host on
# every page load, and fail offline.
ICON = Path(__file__).resolve().parent / "static" / "icon.png"

st.set_page_config(page_title="LR schedule studio", page_icon=str(ICON), layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/designer.py", title="Designer", icon=":material/show_chart:", default=True),
        st.Page("pages/compare.py", title="Compare", icon=":material/stacked_line_chart:"),
        st.Page("pages/find_lr.py", title="Find the lr", icon=":material/troubleshoot:"),
        st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
        st.Page("pages/verify.py", title="Verify a run", icon=":material/fact_check:"),
        st.Page("pages/reference.py", title="Format reference", icon=":material/menu_book:"),
    ]
)
navigation.run()
