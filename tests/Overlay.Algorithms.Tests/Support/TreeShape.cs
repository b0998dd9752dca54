namespace Overlay.Algorithms.Tests.Support;

/// <summary>Checks that the nodes' own views of one session make a single tree rooted at the source.</summary>
internal static class TreeShape
{
    /// <summary>Null when the snapshots form a tree rooted at <paramref name="source"/> holding every one of them; otherwise what is wrong.</summary>
    public static string? Problem(IReadOnlyDictionary<NodeId, SessionSnapshot?> views, NodeId source)
    {
        foreach (var (node, view) in views)
        {
            if (view is null)
                return $"{node} takes no part";
            if (!view.IsAttached)
                return $"{node} is not attached";
        }

        var snapshots = views.ToDictionary(v => v.Key, v => v.Value!);
        if (!snapshots.TryGetValue(source, out var root) || !root.IsSource || !root.Parent.IsNone)
            return $"{source} is not the root";
        foreach (var (node, view) in snapshots)
        {
            foreach (var child in view.Children)
            {
                if (!snapshots.TryGetValue(child, out var childView))
                    return $"{node} has child {child}, which is not a live member";
                if (childView.Parent != node)
                    return $"{node} has child {child}, whose parent is {childView.Parent}";
            }

            if (node == source)
                continue;
            if (!snapshots.TryGetValue(view.Parent, out var parentView))
                return $"{node} has parent {view.Parent}, which is not a live member";
            if (!parentView.Children.Contains(node))
                return $"{node} has parent {view.Parent}, which does not count it as a child";

            // Walk up: the source must come within as many steps as there are nodes, or there is a cycle.
            var chain = new List<NodeId> { node };
            var current = view;
            while (current.Node != source)
            {
                if (chain.Count > snapshots.Count)
                    return $"{node} is on a cycle: {string.Join(" <- ", chain)}";
                // Snapshots are taken one node at a time, so an ancestor may still name a parent that just died.
                if (!snapshots.TryGetValue(current.Parent, out var above))
                    return $"{current.Node} (above {node}) has parent {current.Parent}, which is not a live member";
                current = above;
                chain.Add(current.Node);
            }

            chain.Reverse();
            if (!chain.SequenceEqual(view.Path))
                return $"{node} believes its path is {string.Join(">", view.Path)} but it is {string.Join(">", chain)}";
        }

        return null;
    }
}
