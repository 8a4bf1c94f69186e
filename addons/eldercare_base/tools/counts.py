def count_into(records, field_name, model, link):
    """Set ``field_name`` of each of ``records`` to how many ``model`` rows
    point at it through ``link`` (the smart buttons' counts): one grouped
    query for the whole recordset."""
    counts = dict(
        records.env[model]._read_group([(link, "in", records.ids)], [link], ["__count"])
    )
    for record in records:
        record[field_name] = counts.get(record, 0)
