namespace Netstack.Cli.Output;

/// <summary>
/// Columns laid out as docker's CLI does with Go's tabwriter (minimum cell width 10, padding 3,
/// the last column unpadded), so scripts that cut docker's tables cut ours the same way.
/// </summary>
internal sealed class TableWriter
{
    private const int MinWidth = 10;
    private const int Padding = 3;
    private readonly string[] _headers;
    private readonly List<string[]> _rows = [];

    public TableWriter(params string[] headers)
    {
        _headers = headers;
    }

    public void Add(params string[] cells)
    {
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"a row has {cells.Length} cells, the table {_headers.Length} columns", nameof(cells));
        }
        _rows.Add(cells);
    }

    public void WriteTo(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var widths = new int[_headers.Length];
        for (var c = 0; c < _headers.Length; c++)
        {
            var widest = _rows.Select(r => r[c].Length).Prepend(_headers[c].Length).Max();
            widths[c] = Math.Max(MinWidth, widest + Padding);
        }
        WriteRow(output, _headers, widths);
        foreach (var row in _rows)
        {
            WriteRow(output, row, widths);
        }
    }

    private static void WriteRow(TextWriter output, string[] cells, int[] widths)
    {
        for (var c = 0; c < cells.Length; c++)
        {
            output.Write(c == cells.Length - 1 ? cells[c] : cells[c].PadRight(widths[c]));
        }
        output.WriteLine();
    }
}
