namespace Netstack.Linux;

/// <summary>
/// Deletes links by name, and deletes together the ones asked for while an earlier deletion is
/// still in the kernel: they are put in one interface group and that group is deleted with one
/// request.
/// </summary>
/// <remarks>
/// Every link the kernel unregisters waits for an RCU grace period under the rtnl lock, so link
/// deletions never overlap: on kernel 6.18 here 150 veth pairs deleted one by one took 2.45 s
/// (16 ms each) and as one group 68 ms (<c>ip -batch</c> against <c>ip link del group</c>). A lone
/// deletion is sent at once as a plain delete, so one disconnect waits for nothing; when many
/// endpoints leave at the same time (an <c>rm -f</c> of many containers), those that arrive
/// during a deletion go in the next batch.
/// </remarks>
public sealed class LinkDeleteBatcher
{
    private readonly NetlinkHandle _netlink;
    private readonly Func<uint> _nextGroup;
    private readonly Lock _lock = new();
    private List<Pending> _pending = [];
    private bool _running;

    /// <param name="netlink">The handle of the namespace the links are in.</param>
    /// <param name="nextGroup">
    /// A group for one batch: one no other link uses (not 0), chosen so that links stranded in it
    /// by a crash between the two steps are recognised as the owner's and removed at its next start.
    /// </param>
    public LinkDeleteBatcher(NetlinkHandle netlink, Func<uint> nextGroup)
    {
        ArgumentNullException.ThrowIfNull(netlink);
        ArgumentNullException.ThrowIfNull(nextGroup);
        _netlink = netlink;
        _nextGroup = nextGroup;
    }

    /// <summary>Deletes the link (a veth's peer goes with it); a link that is not there counts as deleted.</summary>
    public Task DeleteAsync(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var pending = new Pending(name);
        bool start;
        lock (_lock)
        {
            _pending.Add(pending);
            start = !_running;
            _running = true;
        }
        if (start)
        {
            _ = Task.Run(Drain);
        }
        return pending.Done.Task;
    }

    private void Drain()
    {
        while (true)
        {
            List<Pending> batch;
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    _running = false;
                    return;
                }
                batch = _pending;
                _pending = [];
            }
            if (batch.Count == 1)
            {
                DeleteOne(batch[0]);
            }
            else
            {
                DeleteTogether(batch);
            }
        }
    }

    private void DeleteOne(Pending pending)
    {
        try
        {
            _netlink.LinkDelete(pending.Name);
            pending.Done.TrySetResult();
        }
        catch (NetlinkNotFoundException)
        {
            pending.Done.TrySetResult();
        }
        catch (Exception e)
        {
            pending.Done.TrySetException(e);
        }
    }

    private void DeleteTogether(List<Pending> batch)
    {
        uint group;
        try
        {
            group = _nextGroup();
        }
        catch (Exception e)
        {
            foreach (var pending in batch)
            {
                pending.Done.TrySetException(e);
            }
            return;
        }
        var grouped = new List<Pending>(batch.Count);
        foreach (var pending in batch)
        {
            try
            {
                _netlink.LinkSetGroup(pending.Name, group);
                grouped.Add(pending);
            }
            catch (NetlinkNotFoundException)
            {
                pending.Done.TrySetResult();
            }
            catch (Exception e)
            {
                pending.Done.TrySetException(e);
            }
        }
        if (grouped.Count == 0)
        {
            return;
        }
        try
        {
            _netlink.LinkDeleteGroup(group);
        }
        catch (NetlinkException)
        {
            // The group delete failed as a whole: each link on its own says which one and why.
            foreach (var pending in grouped)
            {
                DeleteOne(pending);
            }
            return;
        }
        foreach (var pending in grouped)
        {
            pending.Done.TrySetResult();
        }
    }

    private sealed class Pending(string name)
    {
        public string Name { get; } = name;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
