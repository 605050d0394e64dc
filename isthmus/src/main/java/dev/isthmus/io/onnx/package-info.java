/**
 * Models out: {@link dev.isthmus.io.onnx.OnnxExport} writes any Isthmus model as an ONNX model
 * (opset 17) that ONNX Runtime and other ONNX engines run, with its input and preprocessing
 * described by {@link dev.isthmus.io.onnx.OnnxMetadata}. The protobuf is written by hand: the
 * few ONNX messages needed are small, and the library stays free of a protobuf dependency.
 */
package dev.isthmus.io.onnx;
