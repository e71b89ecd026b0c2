package dev.dyndbgd.fuse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A directory of the served tree. Fixed at mount time: its entries do not change while mounted. */
public record VirtualDirectory(String name, int permissions, Map<String, VirtualNode> entries) implements VirtualNode {
    public VirtualDirectory {
        entries = Map.copyOf(entries);
    }

    public static VirtualDirectory of(String name, List<? extends VirtualNode> children) {
        Map<String, VirtualNode> map = new LinkedHashMap<>();
        for (VirtualNode n : children) {
            if (n.name().isEmpty() || n.name().contains("/") || map.put(n.name(), n) != null) {
                throw new IllegalArgumentException("bad or repeated entry name: " + n.name());
            }
        }
        return new VirtualDirectory(name, 0755, map);
    }

    /** The node at a path relative to this directory ("a/b"), or null. */
    public VirtualNode resolve(String relative) {
        VirtualNode node = this;
        for (String part : relative.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (!(node instanceof VirtualDirectory dir)) {
                return null;
            }
            node = dir.entries().get(part);
            if (node == null) {
                return null;
            }
        }
        return node;
    }
}
