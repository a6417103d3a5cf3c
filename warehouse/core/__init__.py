"""The rules everything else uses: the contract's lists (read from the dbt seeds), paths,
errors, how a cell is read as a number, the figure catalogue and its pooling, safe text."""
