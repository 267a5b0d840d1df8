package dev.etcdoperator.testapiserver;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import java.net.HttpURLConnection;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The stock dispatcher keeps every object in one map keyed by its attributes, and finds the object of a GET by name,
 * and of every write, by matching the path's attributes against each stored key. With a hundred clusters' objects
 * stored (a few thousand) that scan was most of the stand-in's CPU, and the stand-in the largest user of the
 * machine's CPU in the scale benchmark, which measured the stand-in more than the operator. A real API server reads
 * one object by its key; this keeps the stored keys by name too, so such a lookup matches the path against the few
 * objects of that name only, with the same matching as before. Lists and watches are the stock dispatcher's.
 */
class NameIndexedCrudDispatcher extends KubernetesCrudDispatcher {
  private static final String NAME = KubernetesAttributesExtractor.NAME;

  private final Map<Attribute, Set<AttributeSet>> byName = new ConcurrentHashMap<>();
  /**
   * A write replaces a stored object by removing its old key and adding its new one; a GET here, which does not take
   * the stock dispatcher's (private) lock, must not see the object missing in between.
   */
  private final ReadWriteLock stored = new ReentrantReadWriteLock();

  @Override
  public MockResponse handleGet(String path) {
    AttributeSet query = getKey(path);
    if (!query.containsKey(NAME) || path.contains("watch=true")) {
      return super.handleGet(path);
    }
    stored.readLock().lock();
    try {
      return lookup(query).map(entry -> new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK)
          .setBody(entry.getValue())).orElseGet(() -> new MockResponse()
          .setResponseCode(HttpURLConnection.HTTP_NOT_FOUND));
    } finally {
      stored.readLock().unlock();
    }
  }

  @Override
  public Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
    if (!attributes.containsKey(NAME)) {
      return super.findResource(attributes);
    }
    stored.readLock().lock();
    try {
      return lookup(attributes).orElse(null);
    } finally {
      stored.readLock().unlock();
    }
  }

  @Override
  public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
      GenericKubernetesResource resource, String newState) {
    stored.writeLock().lock();
    try {
      super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
      if (oldAttributes != null && oldAttributes.getAttribute(NAME) != null) {
        byName.computeIfPresent(oldAttributes.getAttribute(NAME), (name, keys) -> {
          keys.remove(oldAttributes);
          return keys.isEmpty() ? null : keys;
        });
      }
      if (newState != null) {
        index(storedKey(pathAttributes, resource, newState));
      }
    } finally {
      stored.writeLock().unlock();
    }
  }

  @Override
  public void reset() {
    stored.writeLock().lock();
    try {
      super.reset();
      byName.clear();
    } finally {
      stored.writeLock().unlock();
    }
  }

  private Optional<Map.Entry<AttributeSet, String>> lookup(AttributeSet query) {
    for (AttributeSet key : byName.getOrDefault(query.getAttribute(NAME), Set.of())) {
      String value = key.matches(query) ? map.get(key) : null;
      if (value != null) {
        return Optional.of(new SimpleImmutableEntry<>(key, value));
      }
    }
    return Optional.empty();
  }

  /** The key the stock dispatcher stored the new state under, computed as it computes it. */
  private AttributeSet storedKey(AttributeSet pathAttributes, GenericKubernetesResource resource, String newState) {
    KubernetesAttributesExtractor extractor = (KubernetesAttributesExtractor) attributeExtractor;
    AttributeSet key = resource != null ? extractor.extract(resource) : extractor.fromResource(newState);
    return key.containsKey(KubernetesAttributesExtractor.PLURAL) ? key : AttributeSet.merge(pathAttributes, key);
  }

  private void index(AttributeSet key) {
    if (!map.containsKey(key)) {
      // Computed otherwise than the stock dispatcher did: index what the map holds instead.
      byName.clear();
      synchronized (map) {
        map.keySet().forEach(this::index);
      }
      return;
    }
    Attribute name = key.getAttribute(NAME);
    if (name != null) {
      byName.computeIfAbsent(name, n -> ConcurrentHashMap.newKeySet()).add(key);
    }
  }
}
