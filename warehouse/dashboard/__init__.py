"""The Streamlit side: cached data access per role, filters, charts, titles, page
building blocks and sign-in."""
