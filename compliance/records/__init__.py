"""Management records: the documents and dated records that evidence the document-based items."""
