namespace Netstack.Ipam;

/// <summary>
/// The allocation bitmap of a pool, run-length encoded: a sorted list of disjoint, non-adjacent
/// ranges of taken address numbers. Docker's allocator is a bitmap with run-length compression for
/// the same reason: a /8 global pool (2^24 addresses) or an IPv6 /64 (2^64) cannot be a flat bitmap,
/// while the addresses really taken form a few runs. Lookups are binary searches over the runs.
/// Not thread-safe: the pool's lock guards it.
/// </summary>
internal sealed class AddressSet
{
    private readonly List<(UInt128 Start, UInt128 End)> _runs = [];

    /// <summary>Number of runs (contiguous blocks of taken addresses).</summary>
    public int RunCount => _runs.Count;

    /// <summary>Number of taken addresses (saturating).</summary>
    public UInt128 Count
    {
        get
        {
            UInt128 total = 0;
            foreach (var (start, end) in _runs)
            {
                total += end - start + 1;
            }
            return total;
        }
    }

    public bool Contains(UInt128 value)
    {
        var i = IndexAtOrBefore(value);
        return i >= 0 && _runs[i].End >= value;
    }

    /// <summary>Marks an address taken; false when it already was.</summary>
    public bool Add(UInt128 value)
    {
        var i = IndexAtOrBefore(value);
        if (i >= 0 && _runs[i].End >= value)
        {
            return false;
        }
        var joinsLeft = i >= 0 && _runs[i].End == value - 1 && value != UInt128.Zero;
        var joinsRight = i + 1 < _runs.Count && value != UInt128.MaxValue && _runs[i + 1].Start == value + 1;
        if (joinsLeft && joinsRight)
        {
            _runs[i] = (_runs[i].Start, _runs[i + 1].End);
            _runs.RemoveAt(i + 1);
        }
        else if (joinsLeft)
        {
            _runs[i] = (_runs[i].Start, value);
        }
        else if (joinsRight)
        {
            _runs[i + 1] = (value, _runs[i + 1].End);
        }
        else
        {
            _runs.Insert(i + 1, (value, value));
        }
        return true;
    }

    /// <summary>Marks an address free; false when it was not taken.</summary>
    public bool Remove(UInt128 value)
    {
        var i = IndexAtOrBefore(value);
        if (i < 0 || _runs[i].End < value)
        {
            return false;
        }
        var (start, end) = _runs[i];
        if (start == end)
        {
            _runs.RemoveAt(i);
        }
        else if (value == start)
        {
            _runs[i] = (start + 1, end);
        }
        else if (value == end)
        {
            _runs[i] = (start, end - 1);
        }
        else
        {
            _runs[i] = (start, value - 1);
            _runs.Insert(i + 1, (value + 1, end));
        }
        return true;
    }

    /// <summary>The lowest free address in [<paramref name="low"/>, <paramref name="high"/>], or null.</summary>
    public UInt128? FirstFree(UInt128 low, UInt128 high)
    {
        if (low > high)
        {
            return null;
        }
        var i = IndexAtOrBefore(low);
        if (i < 0 || _runs[i].End < low)
        {
            return low;
        }
        // Runs are merged, so the address right after the run holding `low` is free.
        var end = _runs[i].End;
        if (end == UInt128.MaxValue || end + 1 > high)
        {
            return null;
        }
        return end + 1;
    }

    /// <summary>
    /// The first free address at or after <paramref name="from"/>, wrapping to <paramref name="low"/>:
    /// round-robin allocation, so a released address is not reused at once.
    /// </summary>
    public UInt128? NextFree(UInt128 from, UInt128 low, UInt128 high)
    {
        if (from < low || from > high)
        {
            return FirstFree(low, high);
        }
        return FirstFree(from, high) ?? (from > low ? FirstFree(low, from - 1) : null);
    }

    /// <summary>Every taken address, in order.</summary>
    public IEnumerable<UInt128> Enumerate()
    {
        foreach (var (start, end) in _runs.ToArray())
        {
            for (var v = start; ; v++)
            {
                yield return v;
                if (v == end)
                {
                    break;
                }
            }
        }
    }

    public void Clear() => _runs.Clear();

    /// <summary>Index of the last run starting at or before <paramref name="value"/>, or -1.</summary>
    private int IndexAtOrBefore(UInt128 value)
    {
        int lo = 0, hi = _runs.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (_runs[mid].Start <= value)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found;
    }
}
