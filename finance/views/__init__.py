"""Portal views of the books, one module per part."""
